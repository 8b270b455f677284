//! Ensembles of linear models: the average of several models learnt on the same features (with
//! other seeds, or other dropout masks) is itself one linear model, scored at the cost of one.
//! Averaging takes out the luck of one training order: a perceptron's decisions on texts unlike
//! its training set move with the seed, the average's much less.

use std::collections::HashMap;

use crate::model::Model;

/// The model whose scores are the mean of `models`' scores; `None` when there is no model or
/// their labels differ.
pub fn average(models: &[Model]) -> Option<Model> {
    let first = models.first()?;
    if models.iter().any(|m| m.labels() != first.labels()) {
        return None;
    }
    let n = first.labels().len();
    let share = 1.0 / models.len() as f32;
    let mut rows: HashMap<u32, Vec<f32>> = HashMap::new();
    for m in models {
        for (id, w) in m.rows_iter() {
            let r = rows.entry(id).or_insert_with(|| vec![0.0; n]);
            for (x, y) in r.iter_mut().zip(w) {
                *x += share * y;
            }
        }
    }
    let mut rows: Vec<(u32, Vec<f32>)> = rows.into_iter().collect();
    rows.sort_unstable_by_key(|(id, _)| *id);
    Some(Model::from_rows(first.labels().to_vec(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn the_average_scores_the_mean_of_the_models() {
        let a = Model::from_rows(labels(), vec![(1, vec![2.0, 0.0])]);
        let b = Model::from_rows(labels(), vec![(1, vec![0.0, 2.0]), (2, vec![4.0, 0.0])]);
        let m = average(&[a, b]).unwrap();
        assert_eq!(m.scores(&[1]), vec![1.0, 1.0]);
        assert_eq!(m.scores(&[1, 2]), vec![3.0, 1.0]);
        assert_eq!(m.rows(), 2);
    }

    #[test]
    fn models_of_other_labels_or_none_give_nothing() {
        let a = Model::from_rows(labels(), vec![]);
        let other = Model::from_rows(vec!["x".into()], vec![]);
        assert!(average(&[a, other]).is_none());
        assert!(average(&[]).is_none());
    }
}
