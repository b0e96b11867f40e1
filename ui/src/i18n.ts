// English and 简体中文. The language follows the system until the user picks one.
import { ref } from "vue";

export type Locale = "en" | "zh-CN";

const messages = {
  en: {
    tagline: "Drop an image, get a link.",
    defaultHost: "Default host",
    noHost: "No image host yet — add one with `pixdrop hosts add smms NAME --set token=…`",
    uploads: "Uploads in the album",
    recent: "Recent uploads",
    nothingYet: "Nothing uploaded yet.",
    dataFiles: "Data",
    loading: "Loading…",
    error: "Something went wrong: {message}",
    server: "Local upload server (PicGo-compatible)",
    serverOn: "Listening on 127.0.0.1:{port}",
    serverOff: "Off",
  },
  "zh-CN": {
    tagline: "拖入图片，即得链接。",
    defaultHost: "默认图床",
    noHost: "还没有图床配置——用 `pixdrop hosts add smms 名称 --set token=…` 添加",
    uploads: "相册中的上传",
    recent: "最近上传",
    nothingYet: "还没有上传任何图片。",
    dataFiles: "数据",
    loading: "加载中…",
    error: "出错了：{message}",
    server: "本地上传服务（兼容 PicGo）",
    serverOn: "正在监听 127.0.0.1:{port}",
    serverOff: "已关闭",
  },
} as const;

export type MessageKey = keyof (typeof messages)["en"];

export function systemLocale(languages: readonly string[] = navigator.languages ?? [navigator.language]): Locale {
  return languages.some((l) => l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

export const locale = ref<Locale>(systemLocale());

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[locale.value][key] ?? messages.en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
