use super::*;

impl<T> PartialEq for KeyComplex<T>
where
    T: sea_orm::EntityTrait,
{
    fn eq(&self, other: &Self) -> bool {
        self.key
            .iter()
            .map(map_key)
            .eq(other.key.iter().map(map_key))
            && (std::sync::Arc::ptr_eq(&self.meta, &other.meta) || self.meta.eq(&other.meta))
    }
}

fn map_key(key: &sea_orm::Value) -> sea_orm::Value {
    match key {
        sea_orm::Value::TinyInt(value) => {
            let value: Option<i64> = value.map(|value| value as i64);
            sea_orm::Value::BigInt(value)
        }
        sea_orm::Value::SmallInt(value) => {
            let value: Option<i64> = value.map(|value| value as i64);
            sea_orm::Value::BigInt(value)
        }
        sea_orm::Value::Int(value) => {
            let value: Option<i64> = value.map(|value| value as i64);
            sea_orm::Value::BigInt(value)
        }
        sea_orm::Value::TinyUnsigned(value) => {
            let value: Option<u64> = value.map(|value| value as u64);
            sea_orm::Value::BigUnsigned(value)
        }
        sea_orm::Value::SmallUnsigned(value) => {
            let value: Option<u64> = value.map(|value| value as u64);
            sea_orm::Value::BigUnsigned(value)
        }
        sea_orm::Value::Unsigned(value) => {
            let value: Option<u64> = value.map(|value| value as u64);
            sea_orm::Value::BigUnsigned(value)
        }
        _ => key.clone(),
    }
}

impl<T> Eq for KeyComplex<T> where T: sea_orm::EntityTrait {}

impl<T> Hash for KeyComplex<T>
where
    T: sea_orm::EntityTrait,
{
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for key in self.key.iter() {
            match key {
                sea_orm::Value::TinyInt(value) => {
                    let value: Option<i64> = value.map(|value| value as i64);
                    value.hash(state);
                }
                sea_orm::Value::SmallInt(value) => {
                    let value: Option<i64> = value.map(|value| value as i64);
                    value.hash(state);
                }
                sea_orm::Value::Int(value) => {
                    let value: Option<i64> = value.map(|value| value as i64);
                    value.hash(state);
                }
                sea_orm::Value::TinyUnsigned(value) => {
                    let value: Option<u64> = value.map(|value| value as u64);
                    value.hash(state);
                }
                sea_orm::Value::SmallUnsigned(value) => {
                    let value: Option<u64> = value.map(|value| value as u64);
                    value.hash(state);
                }
                sea_orm::Value::Unsigned(value) => {
                    let value: Option<u64> = value.map(|value| value as u64);
                    value.hash(state);
                }
                _ => key.hash(state),
            }
        }
        self.meta.hash(state);
    }
}

// Stemset patch. Upstream compared and hashed `format!("{:?}")` renderings of the
// filters and the ordering (two strings per hash, and a key is hashed about eight times on
// its way through the data loader), and left the statement out of the comparison: the
// keys of two callers whose access filters differ fell into one group, and the group's
// first statement (the first caller's filter) was run for the other's keys too. Now the
// statement is compared, and the hash covers only the relation (equal keys still hash
// equal; a collision costs one comparison).
impl<T> PartialEq for HashableGroupKey<T>
where
    T: sea_orm::EntityTrait,
{
    fn eq(&self, other: &Self) -> bool {
        self.rel_def.eq(&other.rel_def)
            && self.via_def.eq(&other.via_def)
            && self.filters.eq(&other.filters)
            && self
                .order_by
                .iter()
                .map(|(column, order)| (sea_orm::IdenStatic::as_str(column), order))
                .eq(other
                    .order_by
                    .iter()
                    .map(|(column, order)| (sea_orm::IdenStatic::as_str(column), order)))
            && self.junction_fields.eq(&other.junction_fields)
            && sea_orm::QueryTrait::as_query(&self.stmt)
                == sea_orm::QueryTrait::as_query(&other.stmt)
    }
}

impl<T> Eq for HashableGroupKey<T> where T: sea_orm::EntityTrait {}

impl<T> Hash for HashableGroupKey<T>
where
    T: sea_orm::EntityTrait,
{
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.rel_def.hash(state);
        self.via_def.hash(state);
    }
}
