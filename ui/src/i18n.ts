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
    importTitle: "Bring your setup",
    importSxcu: "Import ShareX uploader (.sxcu)…",
    importPicgo: "Import from PicGo…",
    importing: "Importing…",
    sxcuDone: "Added the custom host “{name}”.",
    picgoConfigs: "Host configs added: {list}",
    picgoPresent: "Already here: {list}",
    picgoSkipped: "Skipped: {list}",
    picgoSettings: "Settings taken over: {list}",
    picgoAlbum: "Album: {added} records added, {present} already here",
    picgoUnknown: "PicGo host type “{type}” has no Pixdrop host: {configs} configs left out, {records} records imported",
    picgoNothing: "Nothing to import.",
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
    importTitle: "导入已有配置",
    importSxcu: "导入 ShareX 上传器（.sxcu）…",
    importPicgo: "从 PicGo 导入…",
    importing: "正在导入…",
    sxcuDone: "已添加自定义图床“{name}”。",
    picgoConfigs: "已添加的图床配置：{list}",
    picgoPresent: "已存在：{list}",
    picgoSkipped: "已跳过：{list}",
    picgoSettings: "已导入的设置：{list}",
    picgoAlbum: "相册：新增 {added} 条记录，{present} 条已存在",
    picgoUnknown: "PicGo 图床类型“{type}”在 Pixdrop 中没有对应图床：{configs} 个配置未导入，{records} 条记录已导入",
    picgoNothing: "没有可导入的内容。",
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
