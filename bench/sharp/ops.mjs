// sharp (libvips; what PicList uses) doing what Pixdrop's image benchmark does, on the same
// photo: `node ops.mjs PHOTO RUNS` prints one JSON line of medians in ms. sharp cannot remove
// metadata without re-encoding, so its "strip" is a JPEG re-encode (what PicList does).
import { readFileSync } from "node:fs";
import sharp from "sharp";

const [photo, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 7);
const input = readFileSync(photo);
sharp.cache(false);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(f) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return median(out);
}
const ops = {
  strip: () => sharp(input).rotate().jpeg({ quality: 90 }).toBuffer(),
  resize_webp: () => sharp(input).rotate().resize(1920, 1920, { fit: "inside", withoutEnlargement: true, kernel: "lanczos3" }).webp({ quality: 80 }).toBuffer(),
  jpeg: () => sharp(input).rotate().jpeg({ quality: 80 }).toBuffer(),
  thumbnail: () => sharp(input).rotate().resize(320, 320, { fit: "inside", withoutEnlargement: true }).webp({ quality: 75 }).toBuffer(),
};
const result = { threads: sharp.concurrency(), version: sharp.versions.sharp };
for (const [name, f] of Object.entries(ops)) result[name] = await time(f);
console.log(JSON.stringify(result));
