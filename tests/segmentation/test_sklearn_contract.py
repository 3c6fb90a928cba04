"""The estimators pass scikit-learn's own estimator checks."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from proactief.segmentation.lca import LatentClassModel
from proactief.segmentation.typing_tool import TypingTool


@parametrize_with_checks(
    [
        LatentClassModel(n_components=2, n_init=1, random_state=0),
        TypingTool(max_items=3, cv=2),
    ]
)
def test_sklearn_compatible(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)
