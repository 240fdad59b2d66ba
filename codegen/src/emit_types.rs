//! Emitting one module of generated types: structs and open enums.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Field, Module, ModulePath, OpenEnum, Struct, Ty, TypeDef};
use crate::names::doc_text;

/// `#[doc = " line"]` for each line of `text`, so prettyplease prints `/// line`.
pub(crate) fn doc_attrs(text: &str) -> TokenStream {
    let text = doc_text(text.trim());
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// `#![doc = " line"]` for each line of `text`: the module's own docs.
pub(crate) fn inner_doc_attrs(text: &str) -> TokenStream {
    let text = doc_text(text.trim());
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The items of a module, without its inner docs.
pub(crate) fn module_items(module: &Module) -> TokenStream {
    let items = module.types.iter().map(|def| match def {
        TypeDef::Struct(def) => struct_item(module, def),
        TypeDef::Enum(def) => enum_item(def),
    });
    quote!(#(#items)*)
}

fn type_tokens(module: &Module, ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::I64 => quote!(i64),
        Ty::Decimal => quote!(crate::Decimal),
        Ty::Timestamp => quote!(crate::Timestamp),
        Ty::NumberOrText => quote!(crate::NumberOrText),
        Ty::Bool => quote!(bool),
        Ty::IntOrString => quote!(crate::IntOrString),
        Ty::Json => quote!(serde_json::Value),
        Ty::JsonObject => quote!(serde_json::Map<String, serde_json::Value>),
        Ty::Named(target) => {
            let name = ident(&target.name);
            if target.module == module.path {
                quote!(#name)
            } else {
                match &target.module {
                    ModulePath::Shared => quote!(crate::shared::#name),
                    ModulePath::Event(event) => {
                        let event = ident(event);
                        quote!(crate::events::#event::#name)
                    }
                }
            }
        }
        Ty::Vec(inner) => {
            let inner = type_tokens(module, inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = type_tokens(module, inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Pii(inner) => {
            let inner = type_tokens(module, inner);
            quote!(crate::Pii<#inner>)
        }
    }
}

fn struct_item(module: &Module, def: &Struct) -> TokenStream {
    let docs = doc_attrs(&def.description);
    let name = ident(&def.name);
    let fields = def.fields.iter().map(|field| field_item(module, field));
    quote! {
        #docs
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
    }
}

fn field_item(module: &Module, field: &Field) -> TokenStream {
    let mut description = field.description.clone();
    if field.ty.is_pii() {
        description.push_str("\n\nPersonal data: `Debug` prints `[redacted]`.");
    }
    let docs = doc_attrs(&description);
    let name = ident(&field.rust_name);
    let ty = type_tokens(module, &field.ty);
    let mut serde = Vec::new();
    if field.rust_name != field.wire_name {
        let wire = &field.wire_name;
        serde.push(quote!(rename = #wire));
    }
    for alias in &field.aliases {
        serde.push(quote!(alias = #alias));
    }
    if !field.required {
        serde.push(quote!(default));
        serde.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    if field.ty.is_lenient() {
        serde.push(quote!(deserialize_with = "crate::lenient::deserialize"));
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    let ty = if field.required {
        ty
    } else {
        quote!(Option<#ty>)
    };
    quote! {
        #docs
        #serde
        pub #name: #ty,
    }
}

fn enum_item(def: &OpenEnum) -> TokenStream {
    let docs = doc_attrs(&format!(
        "{}\n\nAn open enumeration: a value not listed here arrives as `Other` with the text as sent, and matching ignores ASCII case.",
        def.description
    ));
    let name = ident(&def.name);
    let variants: Vec<Ident> = def
        .variants
        .iter()
        .map(|(variant, _)| ident(variant))
        .collect();
    let wires: Vec<&String> = def.variants.iter().map(|(_, wire)| wire).collect();
    let variant_docs = wires.iter().map(|wire| doc_attrs(&format!("`{wire}`")));
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value not documented yet, exactly as it arrived.
            Other(String),
        }

        impl #name {
            /// Every documented value.
            pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];

            /// The value as ENS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::Other(value) => value,
                }
            }

            /// Reads a value, ignoring ASCII case; an undocumented value becomes `Other`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => #(if other.eq_ignore_ascii_case(#wires) { Self::#variants } else)* {
                        Self::Other(other.to_owned())
                    }
                }
            }
        }

        crate::open_enum::impl_open_enum!(#name);
    }
}
