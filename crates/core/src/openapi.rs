//! OpenAPI schemas (feature `openapi`) of the types whose JSON form is
//! written by hand (`impl Serialize`, `serde(into)`), so that the web edge's
//! generated document describes them as they are serialised. Every other
//! type derives `utoipa::ToSchema` with one `cfg_attr` line; the closed
//! vocabularies get theirs from the `vocabulary!` macro.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::contacts::{NumberClass, Phone, PhoneKind};
use crate::identity::{PatientId, PatientIdKind};
use crate::worklist::ItemKey;

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

/// `episode/party/code[/n]`, as `ItemKey`'s `Display` writes it.
impl PartialSchema for ItemKey {
    fn schema() -> RefOr<Schema> {
        string("A work item's key: `<episode id>/<party>/<code>[/<n>]`.").into()
    }
}
impl ToSchema for ItemKey {}

/// As `Phone`'s `Serialize` writes it.
impl PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("number", string("As written in the source."))
            .required("number")
            .property("digits", string("The digits only."))
            .required("digits")
            .property("tel", string("A `tel:` URI."))
            .required("tel")
            .property("class", <NumberClass as PartialSchema>::schema())
            .required("class")
            .property("kind", <PhoneKind as PartialSchema>::schema())
            .required("kind")
            .property("label", string("What the number is, when the kind alone does not say it."))
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::<Schema>::FreeForm(false)))
            .into()
    }
}
impl ToSchema for Phone {
    fn name() -> std::borrow::Cow<'static, str> {
        "ContactPhone".into()
    }
}

/// As `PatientIdRepr`: `{kind, value}`.
impl PartialSchema for PatientId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("kind", <PatientIdKind as PartialSchema>::schema())
            .required("kind")
            .property("value", string("The canonical form (`ÅÅÅÅMMDD-NNNN`, or the reserve number)."))
            .required("value")
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::<Schema>::FreeForm(false)))
            .into()
    }
}
impl ToSchema for PatientId {}
