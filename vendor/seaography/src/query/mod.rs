pub mod loader;
pub use loader::*;

pub mod request_memo;
pub use request_memo::RequestMemo;

pub mod entity_query_field;
pub use entity_query_field::*;

pub mod ordering;
pub use ordering::*;

pub mod pagination;
pub use pagination::*;

pub mod filtering;
pub use filtering::*;

pub mod having;
pub use having::*;

pub mod entity_object_relation;
pub use entity_object_relation::*;

pub mod entity_object_via_relation;
pub use entity_object_via_relation::*;
