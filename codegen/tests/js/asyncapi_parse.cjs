// Parses an AsyncAPI document with the official parser (@asyncapi/parser) and prints a JSON
// summary. Exits 1 when the parser reports any error-level diagnostic.
"use strict";

const fs = require("fs");
const path = require("path");
const { Parser, fromFile } = require("@asyncapi/parser");

async function main() {
  const file = path.resolve(process.argv[2]);
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, file).parse();
  const severities = ["error", "warning", "info", "hint"];
  for (const diagnostic of diagnostics) {
    console.error(
      `${severities[diagnostic.severity] || diagnostic.severity}: ${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join(".")}`
    );
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
  const summary = {
    errors: errors.length,
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === 1).length,
    parsed: Boolean(document),
    version: document ? document.version() : null,
    messages: document ? document.allMessages().length : 0,
    channels: document ? document.allChannels().length : 0,
    operations: document ? document.allOperations().map((operation) => ({
      action: operation.action(),
      method: operation.bindings().get("http") ? operation.bindings().get("http").value().method : null,
    })) : [],
    securitySchemes: document ? document.components().securitySchemes().all().map((scheme) => scheme.id()) : [],
    messagesWithExamples: document
      ? document.allMessages().all().filter((message) => message.examples().length > 0).length
      : 0,
    payloadTitles: document
      ? document.allMessages().all().map((message) => message.payload() && message.payload().title()).filter(Boolean).length
      : 0,
  };
  console.log(JSON.stringify(summary));
  process.exit(errors.length === 0 && document ? 0 : 1);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
