// Compiles the bundled JSON Schema with ajv (draft 2020-12, formats asserted by ajv-formats)
// and validates every example of schemas/json against it: each event's examples against
// `#/$defs/<Event>Delivery` and the bundle's root, the envelope's against `Envelope`, each
// shared object's against its definition. Then validates each AsyncAPI message's examples
// against its payload schema in the AsyncAPI document. Prints a JSON summary; exits 1 on any
// failure.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;
const Ajv = require("ajv").default;
const addFormats = require("ajv-formats").default;

const [bundleFile, schemaDir, asyncapiFile] = process.argv.slice(2).map((arg) => path.resolve(arg));
const bundle = JSON.parse(fs.readFileSync(bundleFile, "utf8"));
const index = JSON.parse(fs.readFileSync(path.join(schemaDir, "index.json"), "utf8"));

// The schemas' own annotation keywords (schemas/json/README.md); everything else stays strict.
const VOCABULARY = ["x-pii", "x-event-name", "x-group", "x-aliases", "x-rust-name", "x-epoch-millis"];

const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
addFormats(ajv);
ajv.addVocabulary(VOCABULARY);
ajv.addSchema(bundle);
const id = bundle.$id;

function pascal(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const failures = [];
let validated = 0;
function check(validate, example, label) {
  if (!validate) {
    failures.push(`${label}: no such definition`);
    return;
  }
  validated += 1;
  if (!validate(example)) {
    failures.push(`${label}: ${ajv.errorsText(validate.errors)}`);
  }
}

const root = ajv.getSchema(id);
const events = index.groups.flatMap((group) => group.events);
for (const name of events) {
  const document = JSON.parse(fs.readFileSync(path.join(schemaDir, "events", `${name}.json`), "utf8"));
  const delivery = ajv.getSchema(`${id}#/$defs/${pascal(name)}Delivery`);
  (document.examples || []).forEach((example, number) => {
    check(delivery, example, `events/${name}.json example ${number + 1} as ${pascal(name)}Delivery`);
    check(root, example, `events/${name}.json example ${number + 1} as the bundle's root`);
  });
}
const envelope = JSON.parse(fs.readFileSync(path.join(schemaDir, "envelope.json"), "utf8"));
(envelope.examples || []).forEach((example, number) => {
  check(ajv.getSchema(`${id}#/$defs/Envelope`), example, `envelope.json example ${number + 1}`);
});
for (const file of fs.readdirSync(path.join(schemaDir, "shared")).sort()) {
  const document = JSON.parse(fs.readFileSync(path.join(schemaDir, "shared", file), "utf8"));
  (document.examples || []).forEach((example, number) => {
    check(ajv.getSchema(`${id}#/$defs/${document.title}`), example, `shared/${file} example ${number + 1}`);
  });
}

// The AsyncAPI payload schemas are draft-07-compatible copies of the same definitions.
let asyncapiValidated = 0;
if (asyncapiFile) {
  const asyncapi = JSON.parse(fs.readFileSync(asyncapiFile, "utf8"));
  const draft7 = new Ajv({ strict: false, allErrors: true });
  addFormats(draft7);
  draft7.addSchema({ $id: "asyncapi", components: { schemas: asyncapi.components.schemas } });
  for (const [name, message] of Object.entries(asyncapi.components.messages)) {
    const target = message.payload.$ref.replace(/^#/, "asyncapi#");
    const validate = draft7.getSchema(target);
    for (const example of message.examples || []) {
      asyncapiValidated += 1;
      if (!validate || !validate(example.payload)) {
        failures.push(`asyncapi message ${name} example ${example.name}: ${validate ? draft7.errorsText(validate.errors) : "no payload schema"}`);
      }
    }
  }
}

// A control: a payload that breaks its schema must fail, or the checks above prove nothing.
const control = JSON.parse(JSON.stringify(
  JSON.parse(fs.readFileSync(path.join(schemaDir, "events", "tierUpgraded.json"), "utf8")).examples[0]
));
control.data.upgradedTierNumber = "not a number";
control.data.tierExpiryDate = "31/12/2025";
const controlValidate = ajv.getSchema(`${id}#/$defs/TierUpgradedDelivery`);
const controlRejected = !controlValidate(control);
const controlErrors = controlRejected ? controlValidate.errors.map((error) => error.instancePath) : [];

for (const failure of failures) console.error(failure);
console.log(JSON.stringify({
  definitions: Object.keys(bundle.$defs).length,
  validated,
  asyncapiValidated,
  failures: failures.length,
  controlRejected,
  controlErrors: [...new Set(controlErrors)].sort(),
}));
process.exit(failures.length === 0 && controlRejected ? 0 : 1);
