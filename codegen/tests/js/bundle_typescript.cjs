// Generates TypeScript types from the bundled JSON Schema with json-schema-to-typescript, then
// type-checks, with the TypeScript compiler in strict mode, one example delivery typed as its
// event's delivery type, and one broken copy that must not type-check. Prints a JSON summary.
"use strict";

const fs = require("fs");
const path = require("path");
const { compile } = require("json-schema-to-typescript");
const ts = require("typescript");

const [bundleFile, exampleFile, typeName, outDir] = process.argv.slice(2);

function typeCheck(files) {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${path.basename(diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  });
}

async function main() {
  const bundle = JSON.parse(fs.readFileSync(bundleFile, "utf8"));
  const example = JSON.parse(fs.readFileSync(exampleFile, "utf8"));
  const types = await compile(bundle, "EnsDelivery", {
    bannerComment: "",
    additionalProperties: true,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    format: false,
    $refOptions: { resolve: { external: false } },
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "ens.ts"), types);

  const good = path.join(outDir, "example.ts");
  fs.writeFileSync(good, `import type { ${typeName} } from "./ens";\nexport const example: ${typeName} = ${JSON.stringify(example, null, 2)};\n`);
  const broken = JSON.parse(JSON.stringify(example));
  broken.eventName = 42;
  const bad = path.join(outDir, "broken.ts");
  fs.writeFileSync(bad, `import type { ${typeName} } from "./ens";\nexport const broken: ${typeName} = ${JSON.stringify(broken, null, 2)};\n`);

  const goodErrors = typeCheck([good]);
  const badErrors = typeCheck([bad]);
  for (const error of goodErrors) console.error(`example.ts: ${error}`);
  const exported = (types.match(/^export (?:interface|type) \w+/gm) || []).length;
  console.log(JSON.stringify({
    exportedTypes: exported,
    declaresType: new RegExp(`^export (interface|type) ${typeName}\\b`, "m").test(types),
    exampleErrors: goodErrors.length,
    brokenRejected: badErrors.length > 0,
  }));
  process.exit(goodErrors.length === 0 && badErrors.length > 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
