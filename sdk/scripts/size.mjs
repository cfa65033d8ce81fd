// The size budget: the minified bundle, engine included, must stay within
// 8 KiB once gzipped (level 9), so that adding the SDK costs a page little.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const BUDGET = 8192;
const bundle = fileURLToPath(
  new URL("../../src/cohortcast/web/static/sdk/cohortcast.js", import.meta.url),
);

let bytes;
try {
  bytes = gzipSync(readFileSync(bundle), { level: 9 }).length;
} catch (e) {
  console.error(`Cannot read ${bundle}: run 'npm run build' first.`);
  process.exit(1);
}
console.log(`sdk_gzip_bytes: ${bytes} bytes (budget ${BUDGET})`);
if (bytes > BUDGET) {
  console.error(
    `The SDK is ${bytes - BUDGET} bytes over its budget of ${BUDGET} bytes ` +
      "gzipped; make it smaller before merging.",
  );
  process.exit(1);
}
