//! HTTP routes, grouped by domain. Each module returns an [`OpenApiRouter`] so the OpenAPI
//! document is generated from the handlers themselves.

pub mod assistant;
pub mod auth;
pub mod features;
pub mod knowledge;
pub mod notifications;
pub mod ops;
pub mod support;
pub mod users;
