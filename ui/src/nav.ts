// Which page the window shows, so any page can send the user to the one that fixes a problem.
import { ref } from "vue";
import type { LinkFormat } from "./api";

export type Page = "upload" | "album" | "hosts" | "settings";
export const pages: Page[] = ["upload", "album", "hosts", "settings"];
export const page = ref<Page>("upload");

/** The album's link format when one other than the setting's was picked there (kept while the
 *  app runs; null: the setting's). */
export const albumFormat = ref<LinkFormat | null>(null);
