"""Probability distributions (``pt.distributions``), as PyTorch's ``torch.distributions``:

- on the real line and its halves: ``Normal``, ``Uniform``, ``Exponential``, ``Laplace``,
  ``Cauchy``, ``Gumbel``, ``LogNormal``, ``HalfNormal``, ``HalfCauchy``, ``StudentT``,
  ``Gamma``, ``Chi2``, ``InverseGamma``, ``FisherSnedecor``, ``Beta``, ``Kumaraswamy``,
  ``Pareto``, ``GeneralizedPareto``, ``Weibull``, ``ContinuousBernoulli``;
- of angles: ``VonMises``;
- of matrices: ``LKJCholesky`` (Cholesky factors of correlation matrices), ``Wishart``;
- of vectors: ``MultivariateNormal`` (a covariance, precision or lower Cholesky factor),
  ``LowRankMultivariateNormal``, ``Dirichlet``, ``LogisticNormal``, ``OneHotCategorical``,
  ``Multinomial``, and
  ``Independent``, which makes batch dimensions of another distribution event dimensions;
- of counts: ``Bernoulli``, ``Categorical``, ``Binomial``, ``NegativeBinomial``,
  ``Geometric``, ``Poisson``;
- relaxed (Concrete, Gumbel-softmax): ``RelaxedBernoulli``, ``RelaxedOneHotCategorical`` (and
  their log-space ``LogitRelaxedBernoulli``, ``ExpRelaxedCategorical``);
- mixtures: ``MixtureSameFamily``;

with ``sample``, ``rsample`` (the reparameterised, differentiable draw, where PyTorch has one;
the gamma family's is differentiable in its other parameters but not in the concentration, see
``Gamma``), ``log_prob``, ``entropy``, ``mean``/``mode``/``variance``/``stddev``,
``cdf``/``icdf`` and ``enumerate_support`` where PyTorch has them, and ``kl_divergence``
between two distributions of one family.

``TransformedDistribution`` is the distribution of a base distribution's draws mapped through
the transforms of ``pt.distributions.transforms`` (``ExpTransform``, ``AffineTransform``,
``TanhTransform``, ``StickBreakingTransform``, ...; a program's own ``Transform`` subclass
too); ``pt.distributions.constraints`` holds the sets parameters and values live in (each
distribution's ``arg_constraints`` and ``support``), ``biject_to``/``transform_to`` the
transforms onto them, and ``expand(batch_shape)`` broadcasts a distribution's parameters to a
larger batch.

Everything is computed with polytensor's own operations, so ``log_prob`` and ``entropy`` are
differentiable in the parameters on every backend (REINFORCE's ``-m.log_prob(a) * reward``),
and draws come from polytensor's generator (``pt.manual_seed``). The draws are not PyTorch's
numbers: the generators differ.

As in PyTorch, the arguments are checked when a distribution is made, and ``log_prob``'s value
against the support (``validate_args=False``, or
``Distribution.set_default_validate_args(False)``, turns the checks off: on Dask each check
computes a reduction of its tensor).

Examples
--------
>>> import polytensor as pt
>>> from polytensor.distributions import Categorical
>>> logits = pt.asarray([0.0, 0.0, 0.0], requires_grad=True)
>>> m = Categorical(logits=logits)
>>> lp = m.log_prob(pt.asarray(2))
>>> lp.backward()
>>> round(float(lp), 4), [round(g, 4) for g in logits.grad.tolist()]
(-1.0986, [-0.3333, -0.3333, 0.6667])
"""

from . import constraint_registry, constraints, transforms
from ._base import Distribution, kl_divergence, register_kl
from ._basic import Bernoulli, Categorical, Exponential, Normal, Uniform
from ._circular import VonMises
from ._continuous import Cauchy, GeneralizedPareto, Gumbel, HalfNormal, Laplace
from ._discrete import (
    Binomial,
    Geometric,
    Multinomial,
    NegativeBinomial,
    OneHotCategorical,
    Poisson,
)
from ._gamma import Beta, Chi2, Dirichlet, FisherSnedecor, Gamma, StudentT
from ._matrix import LKJCholesky, Wishart
from ._mixture import MixtureSameFamily
from ._multivariate import Independent, LowRankMultivariateNormal, MultivariateNormal
from ._relaxed import (
    ContinuousBernoulli,
    ExpRelaxedCategorical,
    LogitRelaxedBernoulli,
    RelaxedBernoulli,
    RelaxedOneHotCategorical,
)
from ._transformed import (
    HalfCauchy,
    InverseGamma,
    Kumaraswamy,
    LogisticNormal,
    LogNormal,
    Pareto,
    TransformedDistribution,
    Weibull,
)
from .constraint_registry import biject_to, transform_to
from .transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StackTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "Bernoulli",
    "Beta",
    "Binomial",
    "CatTransform",
    "Categorical",
    "Cauchy",
    "Chi2",
    "ComposeTransform",
    "ContinuousBernoulli",
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "Dirichlet",
    "Distribution",
    "ExpRelaxedCategorical",
    "ExpTransform",
    "Exponential",
    "FisherSnedecor",
    "Gamma",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "HalfCauchy",
    "HalfNormal",
    "Independent",
    "IndependentTransform",
    "InverseGamma",
    "Kumaraswamy",
    "LKJCholesky",
    "Laplace",
    "LogNormal",
    "LogisticNormal",
    "LogitRelaxedBernoulli",
    "LowRankMultivariateNormal",
    "LowerCholeskyTransform",
    "MixtureSameFamily",
    "Multinomial",
    "MultivariateNormal",
    "NegativeBinomial",
    "Normal",
    "OneHotCategorical",
    "Pareto",
    "Poisson",
    "PositiveDefiniteTransform",
    "PowerTransform",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "ReshapeTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StackTransform",
    "StickBreakingTransform",
    "StudentT",
    "TanhTransform",
    "Transform",
    "TransformedDistribution",
    "Uniform",
    "VonMises",
    "Weibull",
    "Wishart",
    "biject_to",
    "constraint_registry",
    "constraints",
    "identity_transform",
    "kl_divergence",
    "register_kl",
    "transform_to",
    "transforms",
]
