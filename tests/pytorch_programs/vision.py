"""Programs that resample images: PyTorch's "Spatial Transformer Networks Tutorial" (a
localisation network regresses an affine transform, ``F.affine_grid`` and ``F.grid_sample``
apply it, a small classifier follows) and pytorch/examples' super-resolution network (``Conv2d``
layers then ``nn.PixelShuffle``), each trained a few steps.

The tutorials' architectures and code are kept; sizes are cut (batches of 8, two or three steps)
and MNIST / BSDS300 are replaced by random images, so that a run takes seconds. Weights that the
layers draw are replaced by the same NumPy numbers in both libraries; changes made for a reason
are marked with a comment.
"""

# ruff: noqa: RET504, UP008, UP032  (the tutorials' code, kept as they write it)

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]


def _uniform(g: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    bound = 1 / math.sqrt(fan_in)
    return g.uniform(-bound, bound, shape).astype(np.float32)


def _load_some(torch: Any, model: Any, data: Data, prefix: str) -> None:
    """Replace the parameters named in ``data`` (keys ``prefix + name``); keep the others."""
    state = model.state_dict()
    for k, v in data.items():
        if k.startswith(prefix):
            state[k[len(prefix) :]] = torch.from_numpy(v.copy())
    model.load_state_dict(state)


# -- PyTorch tutorial: Spatial Transformer Networks --------------------------------------------


def _stn_data() -> Data:
    g = rng(31)
    shapes = {
        "conv1.weight": ((10, 1, 5, 5), 25),
        "conv1.bias": ((10,), 25),
        "conv2.weight": ((20, 10, 5, 5), 250),
        "conv2.bias": ((20,), 250),
        "fc1.weight": ((50, 320), 320),
        "fc1.bias": ((50,), 320),
        "fc2.weight": ((10, 50), 50),
        "fc2.bias": ((10,), 50),
        "localization.0.weight": ((8, 1, 7, 7), 49),
        "localization.0.bias": ((8,), 49),
        "localization.3.weight": ((10, 8, 5, 5), 200),
        "localization.3.bias": ((10,), 200),
        "fc_loc.0.weight": ((32, 90), 90),
        "fc_loc.0.bias": ((32,), 90),
        # (fc_loc.2 is the tutorial's own: zero weight, the identity transform as bias)
    }
    out = {"net." + k: _uniform(g, s, f) for k, (s, f) in shapes.items()}
    # MNIST-like images: a dark background (MNIST's normalised 0 is -0.4242) with bright
    # strokes, standardised as the tutorial's Normalize((0.1307,), (0.3081,)) gives
    strokes = g.uniform(0.0, 1.0, (4, 8, 1, 28, 28)) ** 4
    out["images"] = ((strokes - 0.1307) / 0.3081).astype(np.float32)
    out["labels"] = g.integers(0, 10, (4, 8))
    return out


@program(
    "tutorial: Spatial Transformer Networks Tutorial (affine_grid, grid_sample)",
    data=_stn_data,
    rtol=1e-4,
    atol=1e-5,
)
def stn_tutorial(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    from_numpy = torch.from_numpy
    device = torch.device("cpu")

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

            # Spatial transformer localization-network
            self.localization = nn.Sequential(
                nn.Conv2d(1, 8, kernel_size=7),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True),
                nn.Conv2d(8, 10, kernel_size=5),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True),
            )

            # Regressor for the 3 * 2 affine matrix
            self.fc_loc = nn.Sequential(
                nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2)
            )

            # Initialize the weights/bias with identity transformation
            self.fc_loc[2].weight.data.zero_()
            self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

        # Spatial transformer network forward function
        def stn(self, x):
            xs = self.localization(x)
            xs = xs.view(-1, 10 * 3 * 3)
            theta = self.fc_loc(xs)
            theta = theta.view(-1, 2, 3)

            grid = F.affine_grid(theta, x.size())
            x = F.grid_sample(x, grid)

            return x

        def forward(self, x):
            # transform the input
            x = self.stn(x)

            # Perform the usual forward pass
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 320)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    model = Net().to(device)
    _load_some(torch, model, data, "net.")
    optimizer = optim.SGD(model.parameters(), lr=0.01)

    # the data loaders: a few batches of MNIST-like images (MNIST is not here)
    batches = [
        (from_numpy(a), from_numpy(b)) for a, b in zip(data["images"], data["labels"], strict=True)
    ]
    train_loader, test_loader = batches[:3], batches[3:]
    dataset_size = sum(len(t) for _, t in test_loader)
    losses = []

    def train(epoch):
        # Note: model.eval() rather than the tutorial's model.train(): dropout's random masks
        # differ between the libraries, so both train without them to take the same steps
        model.eval()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)

            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if batch_idx % 500 == 0:
                print(
                    "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                        epoch,
                        batch_idx * len(data),
                        len(train_loader) * len(data),
                        100.0 * batch_idx / len(train_loader),
                        loss.item(),
                    )
                )

    def test():
        with torch.no_grad():
            model.eval()
            test_loss = 0
            correct = 0
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)

                # sum up batch loss (reduction="sum": the tutorial's size_average=False is
                # deprecated, and torch warns)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                # get the index of the max log-probability
                pred = output.max(1, keepdim=True)[1]
                correct += pred.eq(target.view_as(pred)).sum().item()

            test_loss /= dataset_size
            print(
                "\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
                    test_loss, correct, dataset_size, 100.0 * correct / dataset_size
                )
            )
            return test_loss, correct

    with warnings.catch_warnings():
        # both libraries warn, as the tutorial's output shows, that align_corners defaults
        # to False: the tutorial relies on that default
        warnings.filterwarnings("ignore", "Default grid_sample and affine_grid behavior")
        for epoch in range(1, 2):
            train(epoch)
            after = test()
        # the transformed images of the test batch, as the tutorial's visualize_stn shows them
        with torch.no_grad():
            data = test_loader[0][0].to(device)
            transformed = model.stn(data).cpu()
    return {
        "losses": losses,
        "test after": after,
        "theta bias": model.fc_loc[2].bias,
        "theta weight": model.fc_loc[2].weight,
        "conv1.weight": model.conv1.weight,
        "transformed": transformed,
    }


# -- pytorch/examples: super-resolution (sub-pixel convolution) ---------------------------------


def _super_resolution_data() -> Data:
    g = rng(32)
    out = {
        "net.conv1.weight": _uniform(g, (16, 1, 5, 5), 25),
        "net.conv2.weight": _uniform(g, (16, 16, 3, 3), 144),
        "net.conv3.weight": _uniform(g, (8, 16, 3, 3), 144),
        "net.conv4.weight": _uniform(g, (9, 8, 3, 3), 72),
    }
    for name, (n, fan_in) in {"conv1": (16, 25), "conv2": (16, 144), "conv3": (8, 144)}.items():
        out[f"net.{name}.bias"] = _uniform(g, (n,), fan_in)
    out["net.conv4.bias"] = _uniform(g, (9,), 72)
    # images in [0, 1]: the example's Y channel of BSDS300 crops, the input a low-resolution one
    out["target"] = g.uniform(0.0, 1.0, (3, 4, 1, 18, 18)).astype(np.float32)
    out["input"] = out["target"].reshape(3, 4, 1, 6, 3, 6, 3).mean(axis=(4, 6))
    return out


@program(
    "pytorch/examples: super_resolution (model.py, main.py: nn.PixelShuffle)",
    data=_super_resolution_data,
    rtol=1e-4,
    atol=1e-5,
)
def super_resolution(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    init = torch.nn.init
    optim = torch.optim
    from_numpy = torch.from_numpy

    # model.py, with fewer channels (64, 64, 32 in the example)
    class Net(nn.Module):
        def __init__(self, upscale_factor):
            super(Net, self).__init__()

            self.relu = nn.ReLU()
            self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
            self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
            self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
            self.conv4 = nn.Conv2d(8, upscale_factor**2, (3, 3), (1, 1), (1, 1))
            self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

            self._initialize_weights()

        def forward(self, x):
            x = self.relu(self.conv1(x))
            x = self.relu(self.conv2(x))
            x = self.relu(self.conv3(x))
            x = self.pixel_shuffle(self.conv4(x))
            return x

        def _initialize_weights(self):
            init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
            init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
            init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
            init.orthogonal_(self.conv4.weight)

    # main.py
    upscale_factor = 3
    device = torch.device("cpu")
    model = Net(upscale_factor=upscale_factor).to(device)
    # the orthogonal weights init drew, replaced by the same numbers in both libraries
    _load_some(torch, model, data, "net.")
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)

    batches = [
        (from_numpy(a), from_numpy(b)) for a, b in zip(data["input"], data["target"], strict=True)
    ]
    training_data_loader, testing_data_loader = batches[:2], batches[2:]
    losses = []

    def train(epoch):
        epoch_loss = 0
        for iteration, batch in enumerate(training_data_loader, 1):
            input, target = batch[0].to(device), batch[1].to(device)

            optimizer.zero_grad()
            loss = criterion(model(input), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

            print(
                "===> Epoch[{}]({}/{}): Loss: {:.4f}".format(
                    epoch, iteration, len(training_data_loader), loss.item()
                )
            )

        print(
            "===> Epoch {} Complete: Avg. Loss: {:.4f}".format(
                epoch, epoch_loss / len(training_data_loader)
            )
        )

    def test():
        avg_psnr = 0
        with torch.no_grad():
            for batch in testing_data_loader:
                input, target = batch[0].to(device), batch[1].to(device)

                prediction = model(input)
                mse = criterion(prediction, target)
                psnr = 10 * math.log10(1 / mse.item())
                avg_psnr += psnr
        print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(testing_data_loader)))
        return avg_psnr / len(testing_data_loader)

    for epoch in range(1, 2):
        train(epoch)
        psnr = test()
    with torch.no_grad():
        upscaled = model(testing_data_loader[0][0])
    return {
        "losses": losses,
        "psnr": psnr,
        "upscaled shape": tuple(upscaled.shape),
        "upscaled": upscaled,
        "conv4.weight": model.conv4.weight,
    }
