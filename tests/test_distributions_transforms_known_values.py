"""``pt.distributions``' transforms, ``TransformedDistribution``, constraints, ``expand`` and
the families built on them, against values written down from torch 2.13 (float64), so that
they run where torch is not installed (CI), on every backend: the transforms' values,
log-Jacobians and gradients; SAC's squashed Gaussian; constraints' checks and the supports'
names; Chi2, HalfCauchy, Pareto, Weibull, NegativeBinomial, the relaxed distributions and
MixtureSameFamily."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import distributions as D

# -- written down from torch 2.13 (float64) -----------------------------------------------------

inf, nan = float("inf"), float("nan")

TRANSFORM_VALUES = {
    "exp": (
        [
            [0.22313016014843, 1.22140275816017, 20.08553692318767],
            [1.10517091807565, 0.74081822068172, 2.01375270747048],
        ],
        [[-1.5, 0.2, 3.0], [0.1, -0.3, 0.7]],
        [
            [1.22313016014843, 2.22140275816017, 21.08553692318767],
            [2.10517091807565, 1.74081822068172, 3.01375270747048],
        ],
    ),
    "affine": (
        [[0.25, 1.6, 6.0], [1.05, 2.6, -0.9]],
        [
            [-0.69314718055995, 0.69314718055995, 1.09861228866811],
            [-0.69314718055995, 0.69314718055995, 1.09861228866811],
        ],
        [[0.5, -2.0, 3.0], [0.5, -2.0, 3.0]],
    ),
    "affine event_dim=1": (
        [[0.25, 1.6, 6.0], [1.05, 2.6, -0.9]],
        [1.09861228866811, 1.09861228866811],
        [[0.5, -2.0, 3.0], [0.5, -2.0, 3.0]],
    ),
    "sigmoid": (
        [
            [3.0590223e-07, 0.88079707797788, 0.99999999999991],
            [0.73105857863, 0.04742587317757, 0.9990889488056],
        ],
        [
            [-15.00000061180455, -2.25385602208595, -30.00000000000009],
            [-1.62652337503645, -3.09717470314748, -7.00182293290755],
        ],
        [
            [0.99999969409768, -0.65660057055226, -0.99999999999981],
            [-0.26550522401853, 0.95032491337578, -0.99726767643108],
        ],
    ),
    "tanh": (
        [
            [-0.90514825364487, 0.1973753202249, 0.99505475368673],
            [0.09966799462496, -0.29131261245159, 0.60436777711716],
        ],
        [
            [-1.71088034202759, -0.03973614368001, -4.61865700915557],
            [-0.00998337764329, -0.08868153985188, -0.45454045871701],
        ],
        [
            [1.99100314621338, 0.56629234251631, -1.98024347020802],
            [0.79073030159753, 1.49776218672981, -0.57399596425187],
        ],
    ),
    "power": (
        [
            [3.23817232401242, 3.33333333333333, 1.7606816861659],
            [0.01788854382, 2.5, 0.89442719099992],
        ],
        [
            [1.62129617574276, 2.40794560865187, -1.2588482363055],
            [-1.497866136777, 1.83258146374831, -0.58157540490284],
        ],
        [
            [5.99714425626941, -17.77777777777777, 0.12269059454289],
            [7.72360679774998, -11.25, -0.06598300562505],
        ],
    ),
    "compose": (
        [
            [1.20260563789501, 1.85547986146989, 6.41646895468024],
            [1.79174268134442, 1.57532105977272, 2.24220993997907],
        ],
        [
            [-1.68449056770066, -0.41814334803461, 1.14113204066665],
            [-0.48318871124251, -0.75445909897826, -0.10746195986421],
        ],
        [
            [1.03125815442493, 1.30349825379233, 3.64245444722855],
            [1.2725600670208, 1.17174486831253, 1.49756358738979],
        ],
    ),
    "compose events": (
        [
            [-0.81029650728973, 2.39475064044981, -1.00989049262654],
            [1.19933598924991, 1.41737477509682, -1.79126444576567],
        ],
        [-4.28983195318334, 1.52623616546765],
        [
            [2.17170978513703, 1.52733532548242, -1.97037743304258],
            [1.78079659244497, 2.41289914855644, 0.06074362573059],
        ],
    ),
}
SOFTMAX = [
    [0.01036365240759, 0.0567300880653, 0.93290625952711],
    [0.28633285906303, 0.19193465526865, 0.52173248566832],
]
SAC = (
    [[-0.1107136159937, 2.31467185960241], [2.68857789829875, 14.50161992567338]],
    [[1.5596025818451, -1.99110466268282], [1.99978146046622, 2.0]],
    [[-1.84403974181549, 3.1488759920323], [-0.33366114263399, 5.5]],
)
TRANSFORMED = {
    "tanh": (
        [[-0.20389127020616, 0.48204360073197], [1.87896236051789, -1.64333571376462]],
        [[0.42287853888024, 0.34696911537578], [0.98443894997128, 0.40129367431708]],
        [[-0.32816980546944, -0.76159415595576], [0.97361015172043, 0.99993309773717]],
    ),
    "exp affine": (
        [[-12.16325177276028, -2.14162949278079], [-62.72731577138751, -3.62882737366218]],
        [[9.690945e-08, 0.79767161903636], [0.0, 0.64668334542103]],
        [[2.42243671547707, 1.73575888234288], [18.29586290337568, 346.7938985485336]],
    ),
    "decreasing affine": (
        [[-1.23893853320467, -1.79440727055857], [-28.53311290943868, -4.30523289432456]],
        [[0.7881446014166, 0.5], [0.99999999999997, 0.97724986805182]],
        [[-0.8815515655446, 3.0], [-2.68535969237518, 9.30539149616336]],
    ),
}
AFFINE_EVENT = ([-2.3698005013688, -7.56932210630707], (2,), (2,))
FAMILY_VALUES = {
    "chi2": {
        "log_prob": [
            [-0.97663707297825, -1.27609785528387, -1.57172658981964],
            [-3.39128072797648, -0.02019307273595, -1.45118352242294],
        ],
        "grads": [[2.48065624332008, -0.47409026617976, -0.13252461363944]],
        "mean": [0.7, 1.3, 2.9],
        "variance": [1.4, 2.6, 5.8],
        "mode": [0.0, 0.0, 0.9],
        "entropy": [0.04653234231931, 1.18907705717282, 2.02681897998354],
        "cdf": [
            [0.64902470296842, 0.58786201327789, 0.44654183771571],
            [0.94854451067306, 0.15542688958404, 0.33583767264425],
        ],
        "icdf": None,
    },
    "halfcauchy": {
        "log_prob": [
            [-0.50715255644427, -1.17875963443571, -1.90537456751354],
            [-3.05849626185002, -0.71984669188413, -1.75337038703472],
        ],
        "grads": [[0.81772725608342, -0.95749297717371, -0.32179991207445]],
        "mean": [inf, inf, inf],
        "variance": [inf, inf, inf],
        "mode": [0.0, 0.0, 0.0],
        "entropy": [1.48120212247061, 2.10024133087684, 2.90258780340177],
        "cdf": [
            [0.39486308657749, 0.41742880032031, 0.38435876319455],
            [0.85406641881782, 0.04887450394439, 0.30388750866744],
        ],
        "icdf": [
            [0.11086910822718, 1.3, 18.30987939255759],
            [0.3566678146461, 2.5513936571567, 184.6045493723279],
        ],
    },
    "pareto": {
        "log_prob": [
            [-3.51087508913636, -2.46097024005364, -4.73636618237177],
            [-6.96662855206421, -0.60765528912755, -3.98879865859095],
        ],
        "grads": [
            [45.71428571428572, 12.30769230769231, 15.17241379310345],
            [-5.18693498982985, -1.22376671311438, -3.08398042643862],
        ],
        "mean": [0.18666666666667, inf, 0.53166666666667],
        "variance": [inf, inf, 0.64243055555555],
        "mode": [0.07, 0.13, 0.29],
        "entropy": [-1.50426366617851, 0.43292272278766, -0.57178626182043],
        "cdf": [
            [0.98319769557861, 0.85063382717756, 0.99043222698479],
            [0.99799649423352, 0.65960852217848, 0.98400376877271],
        ],
        "icdf": [
            [0.07476467875789, 0.30919384990071, 0.82593040184638],
            [0.08748060240707, 0.58552006708305, 2.35227940929009],
        ],
    },
    "weibull": {
        "log_prob": [
            [0.04108790679402, -1.24370723370496, -1.16369032597524],
            [-8.5622703812286, -0.10100084062284, -1.301838589104],
        ],
        "grads": [
            [20.21903684204547, -0.65282758944603, -1.00437499766407],
            [-12.36911779362315, 0.21492993452327, 0.19693639035008],
        ],
        "mean": [0.62760199603962, 1.47290402521515, 2.5683118053056],
        "variance": [0.16128725176357, 3.44701687256186, 1.51868850331084],
        "mode": [0.37919934835682, nan, 2.20162222281025],
        "entropy": [0.38977730115361, 1.34120389955632, 1.59109828475627],
        "cdf": [
            [0.44217351537811, 0.55544089836873, 0.35696793078645],
            [0.99996506849081, 0.12057139625662, 0.20902621852626],
        ],
        "icdf": [
            [0.17150299936694, 0.82219565736383, 4.23683443093073],
            [0.36750936977681, 1.63951048585399, 5.80595023452205],
        ],
    },
    "negativebinomial probs": {
        "log_prob": [
            [-0.20137745071625, -1.4396393107349, -4.09414570559652],
            [-4.98481492317025, -3.11728011391578, -3.19013152974832],
        ],
        "grads": [
            [1.81181294815588, 0.86493037125709, -1.83432176118597],
            [10.13333333333333, 3.5, -28.07843137254901],
        ],
        "mean": [0.23333333333333, 1.95, 16.43333333333333],
        "variance": [0.31111111111111, 4.875, 109.55555555555551],
        "mode": [0.0, 0.0, 10.0],
        "entropy": None,
        "cdf": None,
        "icdf": None,
    },
    "negativebinomial logits": {
        "log_prob": [
            [-0.40315759391519, -1.34974805370172, -1.89603245198392],
            [-3.50553024264605, -3.56167300211292, -2.84633440574074],
        ],
        "grads": [
            [1.23529825330176, 1.20871851485826, 0.19315389774824],
            [1.07357660389751, 1.48517898768112, 0.31805983202352],
        ],
        "mean": [0.54516054814998, 1.43672219349834, 4.11529589092045],
        "variance": [0.96973200994883, 3.02454577910656, 9.95517874258483],
        "mode": [0.0, 0.0, 2.0],
        "entropy": None,
        "cdf": None,
        "icdf": None,
    },
}
KL_PARETO = ([inf, inf, inf], [1.2763567105554, 0.50955293017911, 1.15869043856851])
RELAXED = {
    "RelaxedBernoulli": (
        [[[0.2, 0.5, 0.9], [0.1, 0.6, 0.3]]],
        [
            [
                [-0.28934064412009, -0.6969455174949, 0.53177731907183],
                [-1.08041613636145, -0.3359249514385, -0.19162983058794],
            ]
        ],
        [
            4.88196500262492,
            [
                [-0.56162449905767, 0.53704956699804, 0.35314174854129],
                [-0.90852822479989, 0.14096772835295, -0.09625531631484],
            ],
        ],
    ),
    "LogitRelaxedBernoulli": (
        [
            [
                [-1.38629436111989, 0.0, 2.19722457733622],
                [-2.19722457733622, 0.40546510810816, -0.8472978603872],
            ]
        ],
        [
            [
                [-2.1219221078684, -2.0832398786148, -1.87616828958004],
                [-3.48836174501332, -1.76304130707865, -1.7522775788526],
            ]
        ],
        [
            4.88196500262492,
            [
                [-0.56162449905767, 0.53704956699804, 0.35314174854129],
                [-0.90852822479989, 0.14096772835295, -0.09625531631484],
            ],
        ],
    ),
    "RelaxedOneHotCategorical": (
        [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]],
        [-1.01334401489941, -0.73611110289874],
        [
            3.26313763669938,
            [
                [-0.27182844180889, 0.85057309407347, -0.57874465226458],
                [-1.38470303771353, 0.46790082928853, 0.916802208425],
            ],
        ],
    ),
    "ExpRelaxedCategorical": (
        [
            [-1.6094379124341, -0.69314718055995, -1.20397280432594],
            [-2.30258509299405, -2.30258509299405, -0.22314355131421],
        ],
        [-4.51990191221939, -5.56442484020104],
        [
            3.26313763669938,
            [
                [-0.27182844180889, 0.85057309407347, -0.57874465226458],
                [-1.38470303771353, 0.46790082928853, 0.916802208425],
            ],
        ],
    ),
}
MIXTURE = {
    "log_prob": [[-1.47883710572864, -3.25273418254502], [-2.32325546744516, -1.23852063734731]],
    "grads": [
        [
            [-0.28802530590903, 0.09085030827921, 0.19717499762983],
            [0.51795908957317, -0.27810389077137, -0.23985519880181],
        ],
        [
            [0.29195382813336, -0.68141923258254, 0.10263493250539],
            [-0.72494219191356, -0.18792305772818, -0.01652288098013],
        ],
    ],
    "mean": [0.92003039734122, 0.91240434419537],
    "variance": [4.23968930083353, 2.16381092859932],
    "cdf": [[0.36938972328117, 0.03097421046025], [0.8283697473234, 0.52133329578035]],
}

CONTINUOUS_BERNOULLI = {
    "log_prob": [
        1.5351472096594,
        0.19842802409409,
        -1.6666677e-07,
        0.0,
        0.39391280694173,
        0.38636724712575,
    ],
    "grad": [
        -20.95132308614709,
        -0.55008866944468,
        0.00066666751111,
        1.6,
        2.04867857687537,
        -4.30120216637816,
    ],
    "mean": [
        0.20741809855286,
        0.38801418711115,
        0.49983333328889,
        0.5,
        0.56977749885617,
        0.79258190144714,
    ],
    "variance": [
        0.03705120839408,
        0.07589780080696,
        0.08333331666668,
        0.08333333333333,
        0.08042515220619,
        0.03705120839408,
    ],
    "entropy": [
        -0.58203618772199,
        -0.07641445280336,
        -1.6666676e-07,
        0.0,
        -0.02938620223213,
        -0.58203618772199,
    ],
    "cdf": [0.0, 0.45366139281807, 0.5, 0.9, 1.0, 0.31005416399369],
    "icdf": [-0.0, 0.18386589225024, 0.5, 0.9, 1.0, 0.93812550400818],
    "kl": [
        0.36386829188968,
        0.12866151363677,
        1.6666676e-07,
        0.07883084812988,
        0.06970361163538,
        1.78175971173246,
    ],
}
LOW_RANK = {
    "log_prob": [-4.03795877229875, -5.15262076286593],
    "grads": [
        [
            [0.00404825250937, 0.04154069415891, -0.53931853912202],
            [0.78151832144153, -0.04625710484944, 1.03723243439352],
        ],
        [
            [-0.43030012265496, -1.00313297246471],
            [0.14711229660204, -0.29967383939897],
            [0.80599887986142, -0.35414085624197],
        ],
        [-0.28580541916928, -0.54831523938514, 0.09494022105278],
    ],
    "variance": [[1.75, 2.23, 2.15], [1.75, 2.23, 2.15]],
    "entropy": [5.20150061532693, 5.20150061532693],
    "covariance_matrix": [[1.75, 0.1, -0.35], [0.1, 2.23, -0.94], [-0.35, -0.94, 2.15]],
    "precision_matrix": [
        [0.59119905671786, 0.01723303906156, 0.10377615189261],
        [0.01723303906156, 0.55024791389527, 0.24337888499214],
        [0.10377615189261, 0.24337888499214, 0.58841758374652],
    ],
    "scale_tril": [
        [1.3228756555323, 0.0, 0.0],
        [0.07559289460185, 1.49140394068331, 0.0],
        [-0.26457513110646, -0.6168684250482, 1.30363850287514],
    ],
}

MORE_TRANSFORMS = {
    "softplus": (
        [
            [0.20141327798275, 0.79813886938159, 3.04858735157374],
            [0.74439666007357, 0.55435524446853, 1.10318604888546],
        ],
        [
            [-1.70141327798275, -0.59813886938159, -0.04858735157374],
            [-0.64439666007357, -0.85435524446853, -0.40318604888546],
        ],
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
    ),
    "independent exp": (
        [
            [0.22313016014843, 1.22140275816017, 20.08553692318767],
            [1.10517091807565, 0.74081822068172, 2.01375270747048],
        ],
        [1.7, 0.5],
        [
            [1.22313016014843, 2.22140275816017, 21.08553692318767],
            [2.10517091807565, 1.74081822068172, 3.01375270747048],
        ],
    ),
    "stick breaking": (
        [
            [0.06922778450193, 0.35290456877782, 0.55046176899348, 0.02740587772677],
            [0.26921434944631, 0.19752471041595, 0.35631843957494, 0.1769425005628],
        ],
        [-7.90590613483767, -5.69799987455944],
        [
            [0.72308886199228, -0.13745735928197, -0.90514825364487],
            [-0.07685739778524, 0.18912730319913, -0.33637554433633],
        ],
    ),
    "reshape": (
        [[[-1.5], [0.2], [3.0]], [[0.1], [-0.3], [0.7]]],
        [0.0, 0.0],
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
    ),
    "normal cdf": (
        [
            [0.22662735237687, 0.53982783727703, 0.93319279873114],
            [0.51993880583837, 0.44038230762976, 0.63683065117562],
        ],
        [
            [-1.89333571376462, -1.61708571376462, -2.73708571376462],
            [-1.61333571376462, -1.62333571376462, -1.67333571376462],
        ],
        [
            [0.5255687160774, 0.14847627373851, -0.68524120216705],
            [0.17422195704738, 0.27223966545394, 0.01262017345847],
        ],
    ),
}
LOWER_CHOLESKY = [[1.64872127070013, 0.0], [0.3, 0.36787944117144]]
LOGISTIC_NORMAL = [2.47403105914956, 2.61433146920862]
BIJECT = {
    "interval": [
        [-0.27029790477457, 1.19933598924991, 2.81029650728973],
        [1.09991674991576, 0.70222993275336, 1.67275108867266],
    ],
    "greater_than": [
        [2.22313016014843, 3.22140275816017, 22.08553692318767],
        [3.10517091807565, 2.74081822068172, 4.01375270747048],
    ],
    "less_than": [
        [1.77686983985157, 0.77859724183983, -18.08553692318767],
        [0.89482908192435, 1.25918177931828, -0.01375270747048],
    ],
    "simplex": [
        [0.06922778450193, 0.35290456877782, 0.55046176899348, 0.02740587772677],
        [0.26921434944631, 0.19752471041595, 0.35631843957494, 0.1769425005628],
    ],
    "simplex softmax": [
        [0.01036365240759, 0.0567300880653, 0.93290625952711],
        [0.28633285906303, 0.19193465526865, 0.52173248566832],
    ],
}

LOW_RANK_KL = {
    "lowrank lowrank": [0.55448898204349, 1.26067602615603],
    "mvn lowrank": [0.69805252370127, 2.35116059299623],
    "lowrank mvn": [0.99070839687047, 5.37324549422842],
}


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _close(got: Any, want: Any, what: str, rtol: float = 1e-9) -> None:
    got = _host(got) if isinstance(got, pt.Tensor) else np.asarray(got)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12, err_msg=what)


def _t(a: Any, grad: bool = False) -> Any:
    return pt.asarray(np.asarray(a, dtype=np.float64), requires_grad=grad)


@pytest.fixture(autouse=True)
def _float64() -> None:
    pt.set_default_dtype(pt.float64)  # (the conftest's fixture restores float32)


X = [[-1.5, 0.2, 3.0], [0.1, -0.3, 0.7]]
VEC, VEC2 = [1.0, 2.0, -3.0], [0.5, -2.0, 3.0]


def _transforms() -> dict[str, tuple[Any, Any]]:
    T = D.transforms
    x = np.asarray(X)
    return {
        "exp": (T.ExpTransform(), x),
        "affine": (T.AffineTransform(_t(VEC), _t(VEC2)), x),
        "affine event_dim=1": (T.AffineTransform(_t(VEC), _t(VEC2), event_dim=1), x),
        "sigmoid": (T.SigmoidTransform(), x * 10),
        "tanh": (T.TanhTransform(), x),
        "power": (T.PowerTransform(_t([2.5, -1.0, 0.5])), np.abs(x) + 0.1),
        "compose": (
            T.ComposeTransform(
                [T.ExpTransform(), T.AffineTransform(1.0, 2.0), T.PowerTransform(_t(0.5))]
            ),
            x,
        ),
        "compose events": (
            T.ComposeTransform([T.TanhTransform(), T.AffineTransform(_t(VEC), 2.0, event_dim=1)]),
            x,
        ),
    }


@pytest.mark.parametrize("name", list(TRANSFORM_VALUES))
def test_transforms_give_torchs_values_and_gradients(backend: str, name: str) -> None:
    t, x = _transforms()[name]
    y_want, ladj_want, grad_want = TRANSFORM_VALUES[name]
    xp = _t(x, grad=True)
    y = t(xp)
    ladj = t.log_abs_det_jacobian(xp, y)
    _close(y, y_want, f"{name} forward")
    _close(ladj, ladj_want, f"{name} log_abs_det_jacobian")
    (ladj.sum() + y.sum()).backward()
    _close(xp.grad, grad_want, f"{name} gradient")
    if name != "sigmoid":  # (clipped at 1 - eps: not invertible there)
        _close(t.inv(y.detach()), x, f"{name} inverse", rtol=1e-7)
    _close(-t.inv.log_abs_det_jacobian(y.detach(), xp.detach()), ladj_want, f"{name} inv's")


def test_softmax_abs_and_non_bijective_transforms(backend: str) -> None:
    T = D.transforms
    _close(T.SoftmaxTransform()(_t(X)), SOFTMAX, "softmax")
    assert T.SoftmaxTransform().codomain.event_dim == 1 and not T.SoftmaxTransform().bijective
    _close(T.AbsTransform()(_t(X)), np.abs(X), "abs")
    with pytest.raises(NotImplementedError, match="not bijective"):
        T.AbsTransform().log_abs_det_jacobian(_t(X), _t(X))
    assert repr(T.ExpTransform().codomain) == "GreaterThan(lower_bound=0.0)"
    assert repr(T.TanhTransform().codomain) == "Interval(lower_bound=-1.0, upper_bound=1.0)"
    assert repr(T.AffineTransform(0.0, 1.0, event_dim=1).domain) == (
        "IndependentConstraint(Real(), 1)"
    )
    c = T.ComposeTransform([T.TanhTransform(), T.AffineTransform(_t(VEC), 2.0, event_dim=1)])
    assert c.domain.event_dim == 1 and c.codomain.event_dim == 1
    assert T.AffineTransform(1.0, -2.0).sign == -1 and T.ExpTransform().inv.sign == 1
    assert c.inv.inv is c


def test_cached_tanh_inverse_is_the_remembered_input(backend: str) -> None:
    t = D.transforms.TanhTransform(cache_size=1)
    x = _t([20.0, 0.5])
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    z = _t([0.5])
    assert t.inv(y[1:]) is not x and _host(t.inv(t(z))).tolist() == pytest.approx([0.5])


def test_squashed_gaussian_of_sac_gives_torchs_log_prob_and_gradients(backend: str) -> None:
    mu = _t([[0.3, -1.0], [2.0, 5.0]], grad=True)
    sd = _t([[0.5, 1.2], [0.3, 2.0]], grad=True)
    pi = D.TransformedDistribution(D.Normal(mu, sd), [D.transforms.TanhTransform(cache_size=1)])
    a = pi.transforms[0](mu + sd * _t([[0.1, -2.0], [1.5, 3.0]]))
    lp = pi.log_prob(a)
    (lp.sum() + a.sum()).backward()
    _close(lp, SAC[0], "log pi(a)")
    _close(mu.grad, SAC[1], "d/dmu")
    _close(sd.grad, SAC[2], "d/dstd")
    assert pi.has_rsample and tuple(pi.rsample((3,)).shape) == (3, 2, 2)


def _normal() -> Any:
    return D.Normal(_t([[0.3, -1.0], [2.0, 0.5]]), _t([[0.5, 1.2], [0.3, 2.0]]))


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_transformed_distributions_give_torchs_values(backend: str, name: str) -> None:
    T = D.transforms
    transforms = {
        "tanh": [T.TanhTransform()],
        "exp affine": [T.ExpTransform(), T.AffineTransform(1.0, 2.0)],
        "decreasing affine": T.AffineTransform(1.0, -2.0),
    }[name]
    d = D.TransformedDistribution(_normal(), transforms)
    v = {
        "tanh": [[0.2, -0.9], [0.99, 0.0]],
        "exp affine": [[1.2, 3.0], [1.5, 8.0]],
        "decreasing affine": [[1.2, 3.0], [1.5, 8.0]],
    }[name]
    lp, cdf, icdf = TRANSFORMED[name]
    _close(d.log_prob(_t(v)), lp, f"{name} log_prob")
    _close(d.cdf(_t(v)), cdf, f"{name} cdf")
    _close(d.icdf(_t([[0.1, 0.5], [0.7, 0.99]])), icdf, f"{name} icdf")
    assert d.batch_shape == (2, 2) and d.event_shape == ()
    assert d.expand((3, 2, 2)).batch_shape == (3, 2, 2)
    assert tuple(d.expand((3, 2, 2)).sample((4,)).shape) == (4, 3, 2, 2)


def test_an_affine_of_event_dim_1_makes_the_batch_an_event(backend: str) -> None:
    t = D.transforms.AffineTransform(_t([1.0, 2.0]), _t([0.5, 3.0]), event_dim=1)
    d = D.TransformedDistribution(_normal(), t)
    lp, batch, event = AFFINE_EVENT
    assert (d.batch_shape, d.event_shape) == (batch, event)
    assert isinstance(d.base_dist, D.Independent)
    _close(d.log_prob(_t([[1.2, 3.0], [1.5, 8.0]])), lp, "log_prob")


CONSTRAINT_CHECKS = [
    # (the constraint, a value, torch 2.13's check)
    (lambda C: C.real, [0.0, np.nan, np.inf], [True, False, True]),
    (lambda C: C.positive, [0.0, 1.0, -1.0], [False, True, False]),
    (lambda C: C.nonnegative, [0.0, 1.0, -1.0], [True, True, False]),
    (lambda C: C.unit_interval, [0.0, 1.0, 1.5], [True, True, False]),
    (lambda C: C.boolean, [0.0, 1.0, 0.5], [True, True, False]),
    (lambda C: C.nonnegative_integer, [0.0, 2.0, 0.5], [True, True, False]),
    (lambda C: C.positive_integer, [0.0, 2.0, 2.5], [False, True, False]),
    (lambda C: C.interval(0.0, 2.0), [0.0, 2.0, 2.5], [True, True, False]),
    (lambda C: C.half_open_interval(0.0, 2.0), [0.0, 2.0, 1.0], [True, False, True]),
    (lambda C: C.greater_than(1.0), [1.0, 2.0, 0.0], [False, True, False]),
    (lambda C: C.greater_than_eq(1.0), [1.0, 2.0, 0.0], [True, True, False]),
    (lambda C: C.less_than(1.0), [1.0, 2.0, 0.0], [False, False, True]),
    (lambda C: C.integer_interval(0, 3), [0.0, 1.5, 4.0], [True, False, False]),
    (lambda C: C.simplex, [[0.25, 0.75], [0.5, 0.6], [1.0, 0.0]], [True, False, True]),
    (lambda C: C.one_hot, [[0.0, 1.0], [1.0, 1.0], [0.5, 0.5]], [True, False, False]),
    (lambda C: C.real_vector, [[0.0, 1.0], [np.nan, 1.0]], [True, False]),
    (lambda C: C.independent(C.positive, 1), [[1.0, 2.0], [1.0, -1.0]], [True, False]),
    (lambda C: C.multinomial(3), [[1.0, 2.0], [2.0, 2.0]], [True, False]),
    (
        lambda C: C.lower_cholesky,
        [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 0.5], [2.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]],
        [True, False, False],
    ),
    (
        lambda C: C.positive_definite,
        [[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]],
        [True, False, False],
    ),
]


@pytest.mark.parametrize("i", range(len(CONSTRAINT_CHECKS)))
def test_constraints_check_as_torch(backend: str, i: int) -> None:
    make, value, want = CONSTRAINT_CHECKS[i]
    got = make(D.constraints).check(_t(value))
    assert got.dtype == pt.bool and _host(got).tolist() == want


def test_supports_and_arg_constraints_read_as_torchs(backend: str) -> None:
    C = D.constraints
    assert repr(D.Normal(0.0, 1.0).support) == "Real()"
    assert repr(D.Exponential(1.0).support) == "GreaterThanEq(lower_bound=0.0)"
    assert repr(D.Beta(1.0, 2.0).support) == "Interval(lower_bound=0.0, upper_bound=1.0)"
    assert repr(D.Dirichlet(_t([1.0, 2.0])).support) == "Simplex()"
    assert repr(D.Poisson(1.0).support) == "IntegerGreaterThan(lower_bound=0)"
    assert repr(D.Categorical(logits=_t([0.0, 1.0, 2.0])).support) == (
        "IntegerInterval(lower_bound=0, upper_bound=2)"
    )
    assert repr(D.MultivariateNormal(_t([0.0, 0.0]), _t(np.eye(2))).support) == (
        "IndependentConstraint(Real(), 1)"
    )
    assert repr(D.Independent(D.Normal(_t([0.0, 1.0]), 1.0), 1).support) == (
        "IndependentConstraint(Real(), 1)"
    )
    assert repr(D.NegativeBinomial(2.0, probs=0.5).arg_constraints["probs"]) == (
        "HalfOpenInterval(lower_bound=0.0, upper_bound=1.0)"
    )
    assert repr(D.Weibull(1.0, 2.0).support) == "GreaterThan(lower_bound=0.0)"
    assert repr(D.RelaxedOneHotCategorical(_t(1.0), probs=_t([0.5, 0.5])).support) == "Simplex()"
    mix = D.MixtureSameFamily(D.Categorical(logits=_t([0.0, 0.0])), D.Normal(_t([0.0, 1.0]), 1.0))
    assert repr(mix.support) == "MixtureSameFamilyConstraint(Real())"
    assert D.Normal.arg_constraints == {"loc": C.real, "scale": C.positive}
    assert D.Bernoulli.has_enumerate_support and not D.Normal.has_enumerate_support
    assert _host(D.Pareto(_t([1.0, 2.0]), 3.0).support.check(_t([1.5, 1.5]))).tolist() == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda: D.Normal(_t([0.0, 1.0, 2.0]), 1.0),
        lambda: D.Categorical(logits=_t(np.zeros((3, 4)))),
        lambda: D.MultivariateNormal(_t(np.zeros((3, 2))), _t(np.eye(2))),
        lambda: D.Dirichlet(_t(np.ones((3, 2)))),
        lambda: D.Binomial(4, probs=_t([0.2, 0.5, 0.9])),
        lambda: D.Independent(D.Normal(_t(np.zeros((3, 2))), 1.0), 1),
        lambda: D.Weibull(_t([1.0, 2.0, 3.0]), 1.5),
        lambda: D.RelaxedBernoulli(_t(0.5), probs=_t([0.2, 0.5, 0.9])),
    ],
)
def test_expand_broadcasts_the_batch_as_torch(backend: str, make: Any) -> None:
    d = make()
    e = d.expand((5, 3))
    assert e.batch_shape == (5, 3) and e.event_shape == d.event_shape
    s = e.sample((2,))
    assert tuple(s.shape) == (2, 5, 3, *d.event_shape)
    lp = e.log_prob(s)
    assert tuple(lp.shape) == (2, 5, 3)
    np.testing.assert_allclose(_host(lp)[:, 1], _host(d.log_prob(s[:, 1])), rtol=1e-12)
    assert d.batch_shape == (3,)
    with pytest.raises(ValueError, match=r"cannot be expanded to \(4,\)"):
        d.expand((4,))


def _family(name: str, params: list[Any]) -> Any:
    return {
        "chi2": lambda a: D.Chi2(a[0]),
        "halfcauchy": lambda a: D.HalfCauchy(a[0]),
        "pareto": lambda a: D.Pareto(a[0], a[1]),
        "weibull": lambda a: D.Weibull(a[0], a[1]),
        "negativebinomial probs": lambda a: D.NegativeBinomial(a[0], probs=a[1]),
        "negativebinomial logits": lambda a: D.NegativeBinomial(a[0], logits=a[1]),
    }[name](params)


POS, POS2, P01 = [0.7, 1.3, 2.9], [1.6, 0.8, 2.2], [0.25, 0.6, 0.85]
V3 = np.array([[0.5, 1.0, 2.0], [3.0, 0.1, 1.5]])
FAMILY_INPUTS = {
    "chi2": ([POS], V3),
    "halfcauchy": ([POS], V3),
    "pareto": ([np.multiply(POS, 0.1), POS2], V3 + 0.4),
    "weibull": ([POS, POS2], V3),
    "negativebinomial probs": ([POS, P01], [[0.0, 1, 2], [3, 5, 7]]),
    "negativebinomial logits": ([POS, np.subtract(P01, 0.5)], [[0.0, 1, 2], [3, 5, 7]]),
}


@pytest.mark.parametrize("name", list(FAMILY_VALUES))
def test_new_families_give_torchs_values(backend: str, name: str) -> None:
    arrays, v = FAMILY_INPUTS[name]
    want = FAMILY_VALUES[name]
    ps = [_t(a, grad=True) for a in arrays]
    d = _family(name, ps)
    lp = d.log_prob(_t(v))
    _close(lp, want["log_prob"], f"{name} log_prob")
    for i, g in enumerate(pt.autograd.grad(lp.sum(), ps)):
        _close(g, want["grads"][i], f"{name} gradient {i}")
    for attr in ("mean", "variance", "mode"):
        _close(getattr(d, attr), want[attr], f"{name} {attr}")
    if want["entropy"] is not None:
        _close(d.entropy(), want["entropy"], f"{name} entropy")
    if want["cdf"] is not None and name != "chi2":  # (no gamma cdf here: gammainc is missing)
        _close(d.cdf(_t(v)), want["cdf"], f"{name} cdf")
        _close(d.icdf(_t([[0.1, 0.5, 0.9], [0.3, 0.7, 0.99]])), want["icdf"], f"{name} icdf")
    assert tuple(d.sample((4,)).shape) == (4, 3)


def test_pareto_kl_divergence_gives_torchs_values(backend: str) -> None:
    a = D.Pareto(_t(np.multiply(POS, 0.3)), _t(POS2))
    b = D.Pareto(_t(np.multiply(POS, 0.5)), _t(POS))
    _close(D.kl_divergence(a, b), KL_PARETO[0], "kl where the support is not covered: inf")
    _close(D.kl_divergence(b, a), KL_PARETO[1], "kl")


@pytest.mark.parametrize("name", list(RELAXED))
def test_relaxed_distributions_give_torchs_log_prob_and_gradients(backend: str, name: str) -> None:
    value, lp_want, (gt_want, gl_want) = RELAXED[name]
    t = _t(0.7, grad=True)
    lg = _t([[0.3, -1.2, 0.8], [1.5, 0.0, -0.4]], grad=True)
    d = getattr(D, name)(t, logits=lg)
    lp = d.log_prob(_t(value))
    _close(lp, lp_want, f"{name} log_prob")
    gt, gl = pt.autograd.grad(lp.sum(), [t, lg], retain_graph=True)
    _close(gt, gt_want, f"{name} d/dtemperature")
    _close(gl, gl_want, f"{name} d/dlogits")
    x = d.rsample((4,))
    assert tuple(x.shape) == (4, *d.batch_shape, *d.event_shape) and x.requires_grad
    assert all(np.isfinite(_host(g)).all() for g in pt.autograd.grad(x.sum(), [t, lg]))


def test_relaxed_draws_lie_in_the_support_and_approach_the_discrete_ones(backend: str) -> None:
    pt.manual_seed(4)
    x = _host(D.RelaxedBernoulli(_t(0.05), probs=_t([0.3, 0.8])).sample((4000,)))
    assert ((x >= 0) & (x <= 1)).all()
    np.testing.assert_allclose((x > 0.5).mean(0), [0.3, 0.8], atol=0.03)
    y = _host(D.RelaxedOneHotCategorical(_t(0.05), probs=_t([0.2, 0.3, 0.5])).sample((4000,)))
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(
        np.bincount(y.argmax(-1), minlength=3) / 4000, [0.2, 0.3, 0.5], atol=0.03
    )


def test_mixture_same_family_gives_torchs_values(backend: str) -> None:
    w = _t([[0.3, -0.2, 1.0], [0.0, 0.5, -1.0]], grad=True)
    loc = _t([[-1.0, 0.5, 2.0], [0.0, 1.0, 3.0]], grad=True)
    m = D.MixtureSameFamily(
        D.Categorical(logits=w), D.Normal(loc, _t([[1.0, 0.5, 2.0], [1.5, 1.0, 0.7]]))
    )
    v = _t([[0.1, -2.0], [3.0, 1.0]])
    lp = m.log_prob(v)
    _close(lp, MIXTURE["log_prob"], "log_prob")
    for i, g in enumerate(pt.autograd.grad(lp.sum(), [w, loc], retain_graph=True)):
        _close(g, MIXTURE["grads"][i], f"gradient {i}")
    _close(m.mean, MIXTURE["mean"], "mean")
    _close(m.variance, MIXTURE["variance"], "variance")
    _close(m.cdf(v), MIXTURE["cdf"], "cdf")
    pt.manual_seed(5)
    s = _host(m.sample((20000,)))
    assert s.shape == (20000, 2)
    var = np.asarray(MIXTURE["variance"])
    np.testing.assert_array_less(np.abs(s.mean(0) - MIXTURE["mean"]), 6 * np.sqrt(var / 20000))
    np.testing.assert_allclose(s.var(0), var, rtol=0.06)
    with pytest.raises(ValueError, match="3 categories but the component_distribution 2"):
        D.MixtureSameFamily(D.Categorical(logits=w), D.Normal(_t(np.zeros((2, 2))), 1.0))
    with pytest.raises(TypeError, match="a Categorical as mixture_distribution"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(loc, 1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: D.Chi2(_t([-1.0])),
            "Chi2: df has values that are not positive",
        ),
        (lambda: D.HalfCauchy(_t([0.0])), "HalfCauchy: scale has values that are not positive"),
        (lambda: D.Pareto(1.0, _t([-1.0])), "Pareto: alpha has values that are not positive"),
        (
            lambda: D.Weibull(1.0, _t([0.0])),
            "Weibull: concentration has values that are not positive",
        ),
        (
            lambda: D.NegativeBinomial(2.0, probs=_t([1.0])),
            r"NegativeBinomial: probs has values that are not probabilities in \[0, 1\)",
        ),
        (
            lambda: D.RelaxedBernoulli(_t(1.0), probs=_t([1.5])),
            "LogitRelaxedBernoulli: probs has values that are not probabilities",
        ),
    ],
)
def test_invalid_parameters_raise_value_error(backend: str, make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda: D.TransformedDistribution(D.Normal(0.0, 1.0), D.transforms.TanhTransform()), 2.0),
        (lambda: D.HalfCauchy(1.0), -1.0),
        (lambda: D.Pareto(2.0, 1.0), 1.0),
        (lambda: D.Weibull(1.0, 1.0), -1.0),
        (lambda: D.RelaxedBernoulli(_t(1.0), probs=0.5), 1.5),
    ],
)
def test_log_prob_outside_the_support_raises_value_error(
    backend: str, make: Any, value: float
) -> None:
    with pytest.raises(ValueError, match=r"value has values that are not .* \(the support\)"):
        make().log_prob(_t([value]))
    D.Distribution.set_default_validate_args(False)
    try:
        with warnings.catch_warnings():  # (NaN from atanh(2) and such, with NumPy's warning)
            warnings.simplefilter("ignore", RuntimeWarning)
            assert tuple(make().log_prob(_t([value])).shape) == (1,)
    finally:
        D.Distribution.set_default_validate_args(True)


def test_continuous_bernoulli_gives_torchs_values(backend: str) -> None:
    want = CONTINUOUS_BERNOULLI
    p = _t([0.01, 0.2, 0.4995, 0.5, 0.7, 0.99], grad=True)
    v = _t([0.0, 0.3, 0.5, 0.9, 1.0, 0.75])
    d = D.ContinuousBernoulli(probs=p)
    lp = d.log_prob(v)
    _close(lp, want["log_prob"], "log_prob")
    _close(pt.autograd.grad(lp.sum(), [p], retain_graph=True)[0], want["grad"], "gradient")
    for attr in ("mean", "variance"):
        _close(getattr(d, attr), want[attr], attr)
    _close(d.entropy(), want["entropy"], "entropy")
    _close(d.cdf(v), want["cdf"], "cdf")
    _close(d.icdf(v), want["icdf"], "icdf")
    q = D.ContinuousBernoulli(probs=_t([0.3, 0.6, 0.5, 0.2, 0.9, 0.05]))
    _close(D.kl_divergence(d, q), want["kl"], "kl")
    pt.manual_seed(6)
    x = d.rsample((20000,))
    s = _host(x)
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_array_less(
        np.abs(s.mean(0) - want["mean"]), 6 * np.sqrt(np.asarray(want["variance"]) / 20000)
    )
    assert np.isfinite(_host(pt.autograd.grad(x.sum(), [p])[0])).all()


def test_low_rank_multivariate_normal_gives_torchs_values(backend: str) -> None:
    want = LOW_RANK
    loc = _t([[0.1, -0.5, 1.0], [0.0, 2.0, -1.0]], grad=True)
    w = _t([[1.0, 0.5], [-0.3, 0.8], [0.2, -1.1]], grad=True)
    d_ = _t([0.5, 1.5, 0.9], grad=True)
    m = D.LowRankMultivariateNormal(loc, w, d_)
    assert (m.batch_shape, m.event_shape) == ((2,), (3,))
    lp = m.log_prob(_t([[0.3, 0.1, -0.2], [1.0, 1.0, 1.0]]))
    _close(lp, want["log_prob"], "log_prob")
    for i, g in enumerate(pt.autograd.grad(lp.sum(), [loc, w, d_], retain_graph=True)):
        _close(g, want["grads"][i], f"gradient {i}")
    _close(m.variance, want["variance"], "variance")
    _close(m.entropy(), want["entropy"], "entropy")
    for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
        _close(getattr(m, attr)[0], want[attr], attr)
    pt.manual_seed(7)
    s = _host(m.sample((20000,)))
    assert s.shape == (20000, 2, 3)
    cov = np.asarray(want["covariance_matrix"])
    np.testing.assert_allclose(np.cov(s[:, 1].T), cov, atol=0.1)
    x = m.rsample((2,))
    assert all(g is not None for g in pt.autograd.grad(x.sum(), [loc, w, d_]))
    assert m.expand((4, 2)).batch_shape == (4, 2)
    with pytest.raises(ValueError, match=r"cov_factor of shape \(\.\.\., 3, rank\)"):
        D.LowRankMultivariateNormal(loc, _t(np.ones((2, 2))), d_)


def _more_transforms() -> dict[str, Any]:
    T = D.transforms
    return {
        "softplus": T.SoftplusTransform(),
        "independent exp": T.IndependentTransform(T.ExpTransform(), 1),
        "stick breaking": T.StickBreakingTransform(),
        "reshape": T.ReshapeTransform((3,), (3, 1)),
        "normal cdf": T.CumulativeDistributionTransform(D.Normal(0.0, 2.0)),
    }


@pytest.mark.parametrize("name", list(MORE_TRANSFORMS))
def test_more_transforms_give_torchs_values(backend: str, name: str) -> None:
    t = _more_transforms()[name]
    y_want, ladj_want, grad_want = MORE_TRANSFORMS[name]
    x = _t(X, grad=True)
    y = t(x)
    ladj = t.log_abs_det_jacobian(x, y)
    _close(y, y_want, f"{name} forward")
    _close(ladj, ladj_want, f"{name} log_abs_det_jacobian")
    (ladj.sum() + y.sum()).backward()
    _close(x.grad, grad_want, f"{name} gradient")
    _close(t.inv(y.detach()), X, f"{name} inverse", rtol=1e-7)
    assert t.forward_shape((2, 3)) == tuple(np.shape(y_want))


def test_lower_cholesky_stick_breaking_and_the_constraint_registry(backend: str) -> None:
    T = D.transforms
    m = _t([[0.5, 2.0], [0.3, -1.0]])
    _close(T.LowerCholeskyTransform()(m), LOWER_CHOLESKY, "lower cholesky")
    _close(T.LowerCholeskyTransform().inv(_t(LOWER_CHOLESKY)), [[0.5, 0.0], [0.3, -1.0]], "inv")
    d = D.TransformedDistribution(D.Normal(pt.zeros(3), 1.0), T.StickBreakingTransform())
    assert (d.batch_shape, d.event_shape) == ((), (4,))
    v = _t([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]])
    _close(d.log_prob(v), LOGISTIC_NORMAL, "a logistic-normal log_prob")
    C = D.constraints
    for name, t in [
        ("interval", D.biject_to(C.interval(-1.0, 3.0))),
        ("greater_than", D.biject_to(C.greater_than(2.0))),
        ("less_than", D.transform_to(C.less_than(2.0))),
        ("simplex", D.biject_to(C.simplex)),
        ("simplex softmax", D.transform_to(C.simplex)),
    ]:
        _close(t(_t(X)), BIJECT[name], name)
    assert isinstance(D.biject_to(C.positive), T.ComposeTransform)  # (greater_than's, as torch)
    assert isinstance(D.biject_to(C.unit_interval), T.SigmoidTransform)
    assert isinstance(D.biject_to(C.real_vector), T.IndependentTransform)
    assert D.biject_to(C.real) is T.identity_transform
    with pytest.raises(NotImplementedError, match="Cannot transform LowerCholesky constraints"):
        D.biject_to(C.lower_cholesky)
    assert isinstance(D.transform_to(C.lower_cholesky), T.LowerCholeskyTransform)


def test_lognormal_is_the_transformed_normal_as_torchs(backend: str) -> None:
    m = D.LogNormal(_t([0.0, 1.0]), _t([1.0, 0.5]))
    assert isinstance(m, D.TransformedDistribution)
    assert isinstance(m.transforms[0], D.transforms.ExpTransform)
    # (torch 2.13: LogNormal(tensor([0., 1.]), tensor([1., .5])).log_prob(tensor([1., 2.])))
    _close(m.log_prob(_t([1.0, 2.0])), [-0.91893853320467, -1.10725583880129], "log_prob")
    q = D.LogNormal(_t([1.0, 0.0]), _t([2.0, 1.0]))
    _close(D.kl_divergence(m, q), D.kl_divergence(m.base_dist, q.base_dist), "kl")
    assert m.expand((3, 2)).batch_shape == (3, 2)


def test_transformed_log_prob_stays_lazy_on_dask(dask_computes: Any) -> None:
    """Without the checks (each a reduction computed), a squashed Gaussian's log-density and
    a mixture's stay Dask graphs until asked for."""
    pt.set_backend("dask")
    loc = pt.asarray(np.zeros(4))
    pi = D.TransformedDistribution(
        D.Normal(loc, 1.0, validate_args=False),
        [D.transforms.TanhTransform(cache_size=1)],
        validate_args=False,
    )
    a = pi.rsample((3,))
    lp = pi.log_prob(a)
    mix = D.MixtureSameFamily(
        D.Categorical(logits=pt.asarray(np.zeros(2)), validate_args=False),
        D.Normal(pt.asarray(np.array([-1.0, 1.0])), 1.0, validate_args=False),
        validate_args=False,
    )
    lm = mix.log_prob(pt.asarray(np.array([0.0, 0.5])))
    assert dask_computes.calls == 0
    assert tuple(lp.shape) == (3, 4) and np.isfinite(_host(lp)).all()
    assert dask_computes.calls == 1
    _close(
        lm,
        np.log(
            0.5 * np.exp(-0.5 * np.array([1.0, 0.25])) + 0.5 * np.exp(-0.5 * np.array([1.0, 2.25]))
        )
        - 0.5 * np.log(2 * np.pi),
        "mixture",
    )


def test_low_rank_kl_divergences_give_torchs_values(backend: str) -> None:
    lr1 = D.LowRankMultivariateNormal(
        _t([[0.1, -0.5, 1.0], [0.0, 2.0, -1.0]]),
        _t([[1.0, 0.5], [-0.3, 0.8], [0.2, -1.1]]),
        _t([0.5, 1.5, 0.9]),
    )
    lr2 = D.LowRankMultivariateNormal(
        _t([0.3, 0.2, -0.4]), _t([[0.4], [1.0], [-0.6]]), _t([1.2, 0.7, 2.0])
    )
    mvn = D.MultivariateNormal(
        _t([0.5, -1.0, 0.0]), _t([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])
    )
    _close(D.kl_divergence(lr1, lr2), LOW_RANK_KL["lowrank lowrank"], "low rank, low rank")
    _close(D.kl_divergence(mvn, lr1), LOW_RANK_KL["mvn lowrank"], "full, low rank")
    _close(D.kl_divergence(lr1, mvn), LOW_RANK_KL["lowrank mvn"], "low rank, full")
    with pytest.raises(ValueError, match="different event shapes"):
        D.kl_divergence(lr2, D.MultivariateNormal(pt.zeros(2), pt.eye(2)))
