// Which page the window shows, so any page can send the user to the one that fixes a problem.
import { ref } from "vue";

export type Page = "upload" | "album" | "hosts" | "settings";
export const pages: Page[] = ["upload", "album", "hosts", "settings"];
export const page = ref<Page>("upload");
