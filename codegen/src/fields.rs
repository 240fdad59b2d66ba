//! The field tables of the reference: a struct's fields flattened into rows, with a
//! renderer-neutral description of each type (Markdown and HTML draw them differently).

use crate::ir::{Module, ModulePath, Struct, Ty, TypeDef, TypeRef};
use crate::lower::Lowered;

/// One row of a field table.
pub(crate) struct FieldRow {
    /// Dotted path below the table's root (`regularPointsBreakup[].points`).
    pub(crate) path: String,
    pub(crate) ty: TypeDesc,
    pub(crate) required: bool,
    pub(crate) pii: bool,
    pub(crate) description: String,
}

/// A field's type: containers (`array of `, `map of `) around a base type.
pub(crate) struct TypeDesc {
    pub(crate) containers: String,
    pub(crate) base: BaseType,
}

/// The innermost type of a field.
pub(crate) enum BaseType {
    /// A JSON type, spelled for people (`integer or string`).
    Plain(&'static str),
    /// A struct of `capillary_ens_schemas::shared`, which has its own page.
    Shared(String),
    /// An open enum: the documented values; others are accepted too.
    Enum(Vec<String>),
    /// An object of the event's own, expanded in the rows that follow.
    Object,
}

/// The rows of `root` in `module`: nested event types are expanded in place, shared ones are
/// linked (they have their own page).
pub(crate) fn rows(lowered: &Lowered, module: &Module, root: &str) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    if let Some(TypeDef::Struct(def)) = module.get(root) {
        collect(lowered, module, def, "", &mut rows, 0);
    }
    rows
}

fn collect(
    lowered: &Lowered,
    module: &Module,
    def: &Struct,
    prefix: &str,
    rows: &mut Vec<FieldRow>,
    depth: usize,
) {
    for field in &def.fields {
        let path = format!("{prefix}{}", field.wire_name);
        rows.push(FieldRow {
            path: path.clone(),
            ty: describe(lowered, &field.ty),
            required: field.required,
            pii: field.ty.is_pii(),
            description: field.description.trim().to_owned(),
        });
        // Recursive schemas would never end; eight levels is deeper than any payload.
        if depth < 8
            && let Some((nested, suffix)) = local_struct(module, &field.ty)
        {
            collect(
                lowered,
                module,
                nested,
                &format!("{path}{suffix}."),
                rows,
                depth + 1,
            );
        }
    }
}

fn local_struct<'m>(module: &'m Module, ty: &Ty) -> Option<(&'m Struct, &'static str)> {
    match ty {
        Ty::Named(target) if target.module == module.path => match module.get(&target.name) {
            Some(TypeDef::Struct(def)) => Some((def, "")),
            _ => None,
        },
        Ty::Vec(inner) => local_struct(module, inner).map(|(def, _)| (def, "[]")),
        Ty::Pii(inner) => local_struct(module, inner),
        _ => None,
    }
}

fn lookup<'l>(lowered: &'l Lowered, target: &TypeRef) -> Option<&'l TypeDef> {
    match &target.module {
        ModulePath::Shared => lowered.shared.get(&target.name),
        ModulePath::Event(_) => lowered
            .events
            .iter()
            .find(|event| event.module.path == target.module)
            .and_then(|event| event.module.get(&target.name)),
    }
}

fn describe(lowered: &Lowered, ty: &Ty) -> TypeDesc {
    let mut containers = String::new();
    let mut ty = ty;
    loop {
        match ty {
            Ty::Vec(inner) => {
                containers.push_str("array of ");
                ty = inner;
            }
            Ty::Map(inner) => {
                containers.push_str("map of ");
                ty = inner;
            }
            Ty::Pii(inner) => ty = inner,
            _ => break,
        }
    }
    let base = match ty {
        Ty::String => BaseType::Plain("string"),
        Ty::I64 => BaseType::Plain("integer"),
        Ty::Decimal => BaseType::Plain("number"),
        Ty::Timestamp => BaseType::Plain("integer (epoch milliseconds)"),
        Ty::NumberOrText => BaseType::Plain("number or string"),
        Ty::Bool => BaseType::Plain("boolean"),
        Ty::IntOrString => BaseType::Plain("integer or string"),
        Ty::Json => BaseType::Plain("any JSON"),
        Ty::JsonObject => BaseType::Plain("object"),
        Ty::Named(target) => match lookup(lowered, target) {
            Some(TypeDef::Enum(def)) => {
                BaseType::Enum(def.variants.iter().map(|(_, wire)| wire.clone()).collect())
            }
            Some(TypeDef::Struct(_)) if target.module == ModulePath::Shared => {
                BaseType::Shared(target.name.clone())
            }
            _ => BaseType::Object,
        },
        Ty::Vec(_) | Ty::Map(_) | Ty::Pii(_) => BaseType::Object,
    };
    TypeDesc { containers, base }
}
