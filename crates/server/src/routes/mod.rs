//! HTTP routes, grouped by domain. Each module returns an [`OpenApiRouter`] so the OpenAPI
//! document is generated from the handlers themselves.

pub mod auth;
pub mod features;
pub mod notifications;
pub mod ops;
pub mod support;
pub mod users;
