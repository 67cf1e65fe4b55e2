mod impl_traits;
pub(crate) mod loader_impl;

use loader_impl::*;

use sea_orm::{sea_query::ValueTuple, EntityTrait, QueryFilter, RelationDef};
use std::{collections::HashMap, hash::Hash, marker::PhantomData, sync::Arc};

use crate::apply_order;

#[derive(Clone, Debug)]
pub struct KeyComplex<T>
where
    T: EntityTrait,
{
    /// The key tuple to equal with columns
    pub key: ValueTuple,
    /// Meta Information, shared by the keys of one field (Stemset patch: cloned per key
    /// and per loaded row, the statement in it was most of the loader's cost)
    pub meta: Arc<HashableGroupKey<T>>,
}

#[derive(Clone, Debug)]
pub struct HashableGroupKey<T>
where
    T: EntityTrait,
{
    pub stmt: sea_orm::Select<T>,
    pub junction_fields: Vec<sea_orm::dynamic::FieldType>,
    pub rel_def: RelationDef,
    pub via_def: Option<RelationDef>,
    pub filters: sea_orm::Condition,
    pub order_by: Vec<(T::Column, sea_orm::sea_query::Order)>,
}

pub struct OneToManyLoader<T>
where
    T: EntityTrait,
{
    connection: sea_orm::DatabaseConnection,
    entity: PhantomData<T>,
}

impl<T> OneToManyLoader<T>
where
    T: EntityTrait,
    T::Model: Sync,
{
    pub fn new(connection: sea_orm::DatabaseConnection) -> Self {
        Self {
            connection,
            entity: PhantomData::<T>,
        }
    }
}

impl<T> async_graphql::dataloader::Loader<KeyComplex<T>> for OneToManyLoader<T>
where
    T: EntityTrait,
    T::Model: Sync,
{
    type Value = Vec<T::Model>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        groups: &[KeyComplex<T>],
    ) -> Result<HashMap<KeyComplex<T>, Self::Value>, Self::Error> {
        let groups = consolidate_groups(groups);

        let mut results: HashMap<KeyComplex<T>, Vec<T::Model>> = HashMap::new();

        for (group, keys) in groups {
            let mut stmt = group.stmt.clone();
            stmt = stmt.filter(group.filters.clone());
            stmt = apply_order(stmt, group.order_by.clone());
            let models: HashMap<ValueTuple, Vec<T::Model>> = loader_impl(
                keys,
                group.junction_fields.clone(),
                stmt,
                group.rel_def.clone(),
                group.via_def.clone(),
                &self.connection,
            )
            .await?;
            for (key, models) in models {
                results.insert(
                    KeyComplex {
                        key,
                        meta: group.clone(),
                    },
                    models,
                );
            }
        }

        Ok(results)
    }
}

pub struct OneToOneLoader<T>
where
    T: EntityTrait,
{
    connection: sea_orm::DatabaseConnection,
    entity: PhantomData<T>,
}

impl<T> OneToOneLoader<T>
where
    T: EntityTrait,
    T::Model: Sync,
{
    pub fn new(connection: sea_orm::DatabaseConnection) -> Self {
        Self {
            connection,
            entity: PhantomData::<T>,
        }
    }
}

impl<T> async_graphql::dataloader::Loader<KeyComplex<T>> for OneToOneLoader<T>
where
    T: EntityTrait,
    T::Model: Sync,
{
    type Value = T::Model;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        groups: &[KeyComplex<T>],
    ) -> Result<HashMap<KeyComplex<T>, Self::Value>, Self::Error> {
        let groups = consolidate_groups(groups);

        let mut results: HashMap<KeyComplex<T>, T::Model> = HashMap::new();

        for (group, keys) in groups {
            let mut stmt = group.stmt.clone();
            stmt = stmt.filter(group.filters.clone());
            stmt = apply_order(stmt, group.order_by.clone());
            let models: HashMap<ValueTuple, Option<T::Model>> = loader_impl(
                keys,
                group.junction_fields.clone(),
                stmt,
                group.rel_def.clone(),
                group.via_def.clone(),
                &self.connection,
            )
            .await?;
            for (key, model) in models {
                if let Some(model) = model {
                    results.insert(
                        KeyComplex {
                            key,
                            meta: group.clone(),
                        },
                        model,
                    );
                }
            }
        }

        Ok(results)
    }
}

fn consolidate_groups<T: EntityTrait>(
    groups: &[KeyComplex<T>],
) -> HashMap<Arc<HashableGroupKey<T>>, Vec<ValueTuple>> {
    let mut acc: HashMap<Arc<HashableGroupKey<T>>, Vec<ValueTuple>> = Default::default();

    for cur in groups {
        match acc.get_mut(&cur.meta) {
            Some(items) => {
                items.push(cur.key.clone());
            }
            None => {
                acc.insert(cur.meta.clone(), vec![cur.key.clone()]);
            }
        }
    }

    acc
}
