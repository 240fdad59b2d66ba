//! The model between the schemas and the emitted code: modules of structs and open enums.

/// Where a generated type lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ModulePath {
    /// `crate::shared`.
    Shared,
    /// `crate::events::<module>`.
    Event(String),
}

/// A generated type, by module and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TypeRef {
    pub(crate) module: ModulePath,
    pub(crate) name: String,
}

/// The Rust type of a value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    String,
    I64,
    /// A decimal that keeps the sent digits (`crate::Decimal`): never an `f64`.
    Decimal,
    /// Epoch milliseconds (`crate::Timestamp`), for integers marked `x-epoch-millis`.
    Timestamp,
    /// A number, or text kept as sent (`crate::NumberOrText`), for `["number", "string"]`.
    NumberOrText,
    Bool,
    IntOrString,
    /// Any JSON value.
    Json,
    /// Any JSON object.
    JsonObject,
    Named(TypeRef),
    Vec(Box<Ty>),
    /// An object with data-dependent keys.
    Map(Box<Ty>),
    Pii(Box<Ty>),
}

impl Ty {
    /// Whether the value needs `crate::lenient` to accept floats and strings for numbers.
    pub(crate) fn is_lenient(&self) -> bool {
        match self {
            Ty::I64 | Ty::Decimal | Ty::Timestamp | Ty::NumberOrText => true,
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Pii(inner) => inner.is_lenient(),
            _ => false,
        }
    }

    /// Whether the value is or contains personal data.
    pub(crate) fn is_pii(&self) -> bool {
        match self {
            Ty::Pii(_) => true,
            Ty::Vec(inner) | Ty::Map(inner) => inner.is_pii(),
            _ => false,
        }
    }
}

/// A struct field.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) wire_name: String,
    pub(crate) rust_name: String,
    pub(crate) description: String,
    pub(crate) ty: Ty,
    /// Required and not nullable: the field is `T`, not `Option<T>`.
    pub(crate) required: bool,
    pub(crate) aliases: Vec<String>,
}

/// A generated struct for an object schema.
#[derive(Clone, Debug)]
pub(crate) struct Struct {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) fields: Vec<Field>,
}

/// A generated open enum: a variant per documented value plus `Other(String)`.
#[derive(Clone, Debug)]
pub(crate) struct OpenEnum {
    pub(crate) name: String,
    pub(crate) description: String,
    /// `(variant name, wire value)`, deduplicated ignoring ASCII case.
    pub(crate) variants: Vec<(String, String)>,
}

/// One generated type.
#[derive(Clone, Debug)]
pub(crate) enum TypeDef {
    Struct(Struct),
    Enum(OpenEnum),
}

impl TypeDef {
    pub(crate) fn name(&self) -> &str {
        match self {
            TypeDef::Struct(def) => &def.name,
            TypeDef::Enum(def) => &def.name,
        }
    }
}

/// One generated module.
#[derive(Clone, Debug)]
pub(crate) struct Module {
    pub(crate) path: ModulePath,
    pub(crate) types: Vec<TypeDef>,
}

impl Module {
    pub(crate) fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|def| def.name() == name)
    }
}
