"""More tutorials and examples: PyTorch's "What is torch.nn really?" (MNIST logistic regression
from scratch, then ``nn.Module``, ``nn.Linear``, ``optim``, ``TensorDataset``, ``DataLoader``,
a CNN, ``nn.Sequential`` with a ``Lambda`` layer and ``nn.AdaptiveAvgPool2d``); "NLP From
Scratch": classifying names and generating names with a character-level RNN (a hand-made
``RNN`` module, ``torch.cat``, ``nn.LogSoftmax``, ``nn.NLLLoss``, ``topk``, updates through
``p.data.add_``); pytorch/examples' ``vae`` (``F.binary_cross_entropy``, ``optim.Adam``) and
``time_sequence_prediction`` (two ``nn.LSTMCell``, ``optim.LBFGS`` with a closure); the
"Adversarial Example Generation" tutorial (FGSM: a gradient with respect to the input,
``sign``, ``torch.clamp``); and the N-gram language model of "Word Embeddings: Encoding
Lexical Semantics" (``nn.Embedding``, ``F.log_softmax``, ``optim.SGD``).

The tutorials' code is kept; sizes are cut so that a run takes a second or two, datasets are
replaced by random arrays of the same shapes and dtypes, and the numbers the libraries draw
(``torch.randn``, layers' initial weights) are replaced by the same NumPy numbers in both.
Shuffled loaders run unshuffled (a shuffled order is each library's own), dropout layers run in
eval mode (their masks are each library's own), and where the originals sample at random the
programs take the most likely choice (``topk``). Changes made for a reason are marked with a
comment.
"""

# ruff: noqa: B006, B007, B905, E741, ERA001, NPY002, PLR5501, RET504, RET508, RUF059, UP008, UP031, UP032  (the tutorials' code, kept as they write it)

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng
from .tutorials import _load, _uniform

Data = dict[str, np.ndarray]


# -- PyTorch tutorial: What is torch.nn really? ------------------------------------------------


def _nn_really_data() -> Data:
    g = rng(61)
    out: Data = {
        # MNIST's shapes and dtypes: flattened 28 x 28 images in [0, 1], int64 labels
        "x_train": g.random((160, 784), dtype=np.float32),
        "y_train": g.integers(0, 10, 160),
        "x_valid": g.random((80, 784), dtype=np.float32),
        "y_valid": g.integers(0, 10, 80),
        # the normal draws of the two torch.randn(784, 10) calls
        "randn": g.standard_normal((784, 10)).astype(np.float32),
        "randn 2": g.standard_normal((784, 10)).astype(np.float32),
        "logistic.lin.weight": _uniform(g, (10, 784), 784),
        "logistic.lin.bias": _uniform(g, (10,), 784),
    }
    for i, (cin, cout) in enumerate(((1, 16), (16, 16), (16, 10)), start=1):
        out[f"cnn.conv{i}.weight"] = _uniform(g, (cout, cin, 3, 3), cin * 9)
        out[f"cnn.conv{i}.bias"] = _uniform(g, (cout,), cin * 9)
    return out


@program(
    "tutorial: What is torch.nn really? (MNIST from scratch to a CNN)",
    data=_nn_really_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_nn_really(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}

    # MNIST is not here: arrays of its shapes and dtypes stand in for the pickled NumPy arrays
    x_train, y_train, x_valid, y_valid = (
        data["x_train"],
        data["y_train"],
        data["x_valid"],
        data["y_valid"],
    )

    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    print(x_train, y_train)
    print(x_train.shape)
    print(y_train.min(), y_train.max())
    out["shapes"] = [tuple(x_train.shape), tuple(y_train.shape), n, c]
    out["dtypes"] = [x_train.dtype, y_train.dtype]
    out["y_train min, max"] = [y_train.min(), y_train.max()]

    # (the tutorial's torch.randn(784, 10): the same normal draws in both libraries)
    weights = torch.from_numpy(data["randn"]) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)
    out["randn shape"] = tuple(torch.randn(784, 10).shape)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 64  # batch size

    xb = x_train[0:bs]  # a mini-batch from x
    preds = model(xb)  # predictions
    preds[0], preds.shape
    print(preds[0], preds.shape)
    out["preds[0]"], out["preds.shape"] = preds[0], tuple(preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll

    yb = y_train[0:bs]
    print(loss_func(preds, yb))
    out["nll"] = loss_func(preds, yb)

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    print(accuracy(preds, yb))
    out["accuracy"] = accuracy(preds, yb)

    lr = 0.5  # learning rate
    epochs = 2  # how many epochs to train for

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            #         set_trace()
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    out["from scratch"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]
    out["weights"], out["bias"] = weights, bias

    F = torch.nn.functional

    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    out["F.cross_entropy"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]

    nn = torch.nn

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            # (the tutorial's torch.randn(784, 10))
            self.weights = nn.Parameter(torch.from_numpy(data["randn 2"]) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()
    print(loss_func(model(xb), yb))
    out["Mnist_Logistic before"] = loss_func(model(xb), yb)

    def fit():
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)

                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit()
    print(loss_func(model(xb), yb))
    out["Mnist_Logistic after"] = loss_func(model(xb), yb)

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)
            _load(torch, self, data, "logistic.")  # (the same initial weights in both libraries)

        def forward(self, xb):
            return self.lin(xb)

    model = Mnist_Logistic()
    print(loss_func(model(xb), yb))
    out["nn.Linear before"] = loss_func(model(xb), yb)
    fit()
    print(loss_func(model(xb), yb))
    out["nn.Linear after"] = loss_func(model(xb), yb)

    optim = torch.optim

    def get_model():
        model = Mnist_Logistic()
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    print(loss_func(model(xb), yb))

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["optim.SGD"] = loss_func(model(xb), yb)

    TensorDataset = torch.utils.data.TensorDataset

    train_ds = TensorDataset(x_train, y_train)

    model, opt = get_model()

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs : i * bs + bs]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["TensorDataset"] = loss_func(model(xb), yb)

    DataLoader = torch.utils.data.DataLoader

    train_ds = TensorDataset(x_train, y_train)
    train_dl = DataLoader(train_ds, batch_size=bs)

    model, opt = get_model()

    for epoch in range(epochs):
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["DataLoader"] = loss_func(model(xb), yb)

    train_ds = TensorDataset(x_train, y_train)
    train_dl = DataLoader(train_ds, batch_size=bs, shuffle=False)  # (the tutorial's True)

    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)

    model, opt = get_model()

    valid_losses = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)

        print(epoch, valid_loss / len(valid_dl))
        valid_losses.append(valid_loss / len(valid_dl))
    out["validation"] = valid_losses

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)

        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()

        return loss.item(), len(xb)

    fitted = []

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)

            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

            print(epoch, val_loss)
            fitted.append(float(val_loss))

    def get_data(train_ds, valid_ds, bs):
        return (
            DataLoader(train_ds, batch_size=bs, shuffle=False),  # (the tutorial's True)
            DataLoader(valid_ds, batch_size=bs * 2),
        )

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model, opt = get_model()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["fit"] = fitted[:]

    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    lr = 0.1

    model = Mnist_CNN()
    _load(torch, model, data, "cnn.")
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["Mnist_CNN fit"] = fitted[:]
    out["Mnist_CNN conv3.weight"] = model.conv3.weight

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 1, 28, 28)

    def sequential_state():
        # (the CNN's initial weights under nn.Sequential's names, as the layers' own draws)
        return {
            f"{2 * i - 1}.{p}": torch.from_numpy(data[f"cnn.conv{i}.{p}"].copy())
            for i in (1, 2, 3)
            for p in ("weight", "bias")
        }

    model = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(4),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    model.load_state_dict(sequential_state())

    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["Sequential fit"] = fitted[:]

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield (self.func(*b))

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)

    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    state = {
        f"{int(k.split('.')[0]) - 1}.{k.split('.')[1]}": v for k, v in sequential_state().items()
    }
    model.load_state_dict(state)

    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["AdaptiveAvgPool2d fit"] = fitted[:]

    print(torch.cuda.is_available())
    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28).to(dev), y.to(dev)

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)

    model.to(dev)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["on dev fit"] = fitted[:]
    out["last conv weight"] = model[4].weight
    return out


# -- NLP From Scratch: Classifying Names with a Character-Level RNN --------------------------------

# (the tutorial's data/names/*.txt, a few made-up names each)
NAMES = {
    "English": ["Abbott", "Ashworth", "Blackwood", "Cartwright", "Fairbanks", "Whitaker"],
    "French": ["Beaulieu", "Chastain", "Dubois", "Lefèvre", "Moreau", "Rousseau"],
    "Russian": ["Abakumov", "Dovesky", "Ivanov", "Petrov", "Sokolov", "Zhukov"],
    "Japanese": ["Akiyama", "Fujimoto", "Hayashi", "Kobayashi", "Nakamura", "Tanaka"],
}
CLASSIFY_HIDDEN = 32
N_LETTERS = 57  # string.ascii_letters + " .,;'"


def _classify_data() -> Data:
    g = rng(71)
    fan_in = N_LETTERS + CLASSIFY_HIDDEN
    return {
        "i2h.weight": _uniform(g, (CLASSIFY_HIDDEN, fan_in), fan_in),
        "i2h.bias": _uniform(g, (CLASSIFY_HIDDEN,), fan_in),
        "i2o.weight": _uniform(g, (len(NAMES), fan_in), fan_in),
        "i2o.bias": _uniform(g, (len(NAMES),), fan_in),
    }


@program(
    "tutorial: NLP From Scratch: Classifying Names with a Character-Level RNN",
    data=_classify_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_char_rnn_classification(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    import random
    import string
    import unicodedata

    out: dict[str, Any] = {}
    random.seed(0)  # (Python's own generator: the same examples in both libraries)

    all_letters = string.ascii_letters + " .,;'"
    n_letters = len(all_letters)

    # Turn a Unicode string to plain ASCII, thanks to https://stackoverflow.com/a/518232/2809427
    def unicodeToAscii(s):
        return "".join(
            c
            for c in unicodedata.normalize("NFD", s)
            if unicodedata.category(c) != "Mn" and c in all_letters
        )

    print(unicodeToAscii("Ślusàrski"))

    # Build the category_lines dictionary, a list of names per language
    category_lines = {}
    all_categories = []

    # (the names of each language, not read from files)
    for category, lines in NAMES.items():
        all_categories.append(category)
        lines = [unicodeToAscii(line) for line in lines]
        category_lines[category] = lines

    n_categories = len(all_categories)

    # Find letter index from all_letters, e.g. "a" = 0
    def letterToIndex(letter):
        return all_letters.find(letter)

    # Just for demonstration, turn a letter into a <1 x n_letters> Tensor
    def letterToTensor(letter):
        tensor = torch.zeros(1, n_letters)
        tensor[0][letterToIndex(letter)] = 1
        return tensor

    # Turn a line into a <line_length x 1 x n_letters>,
    # or an array of one-hot letter vectors
    def lineToTensor(line):
        tensor = torch.zeros(len(line), 1, n_letters)
        for li, letter in enumerate(line):
            tensor[li][0][letterToIndex(letter)] = 1
        return tensor

    print(letterToTensor("J"))
    print(lineToTensor("Jones").size())
    out["letterToTensor('J')"] = letterToTensor("J")
    out["lineToTensor('Jones')"] = lineToTensor("Jones")
    out["lineToTensor('Jones').size()"] = tuple(lineToTensor("Jones").size())

    nn = torch.nn

    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(RNN, self).__init__()

            self.hidden_size = hidden_size

            self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
            self.i2o = nn.Linear(input_size + hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, input, hidden):
            combined = torch.cat((input, hidden), 1)
            hidden = self.i2h(combined)
            output = self.i2o(combined)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self):
            return torch.zeros(1, self.hidden_size)

    n_hidden = CLASSIFY_HIDDEN  # (the tutorial's 128)
    rnn = RNN(n_letters, n_hidden, n_categories)
    _load(torch, rnn, data, "")

    input = letterToTensor("A")
    hidden = torch.zeros(1, n_hidden)

    output, next_hidden = rnn(input, hidden)
    out["rnn('A')"] = [output, next_hidden]

    input = lineToTensor("Albert")
    hidden = torch.zeros(1, n_hidden)

    output, next_hidden = rnn(input[0], hidden)
    print(output)

    def categoryFromOutput(output):
        top_n, top_i = output.topk(1)
        category_i = top_i[0].item()
        return all_categories[category_i], category_i

    print(categoryFromOutput(output))
    out["categoryFromOutput"] = categoryFromOutput(output)

    def randomChoice(l):
        return l[random.randint(0, len(l) - 1)]

    def randomTrainingExample():
        category = randomChoice(all_categories)
        line = randomChoice(category_lines[category])
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        line_tensor = lineToTensor(line)
        return category, line, category_tensor, line_tensor

    for i in range(10):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        print("category =", category, "/ line =", line)

    criterion = nn.NLLLoss()

    # If you set this too high, it might explode. If too low, it might not learn
    learning_rate = 0.005

    def train(category_tensor, line_tensor):
        hidden = rnn.initHidden()

        rnn.zero_grad()

        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)

        loss = criterion(output, category_tensor)
        loss.backward()

        # Add parameters' gradients to their values, multiplied by learning rate
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)

        return output, loss.item()

    n_iters = 40  # (the tutorial's 100000)
    print_every = 10
    plot_every = 5

    # Keep track of losses for plotting
    current_loss = 0
    all_losses = []
    printed = []

    for iter in range(1, n_iters + 1):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        output, loss = train(category_tensor, line_tensor)
        current_loss += loss

        # Print ``iter`` number, loss, name and guess
        if iter % print_every == 0:
            guess, guess_i = categoryFromOutput(output)
            correct = "✓" if guess == category else "✗ (%s)" % category
            printed.append(
                "%d %d%% %.4f %s / %s %s" % (iter, iter / n_iters * 100, loss, line, guess, correct)
            )
            print(printed[-1])

        # Add current loss avg to list of losses
        if iter % plot_every == 0:
            all_losses.append(current_loss / plot_every)
            current_loss = 0
    out["all_losses"] = all_losses
    out["printed (names and guesses)"] = [p.split(" ", 3)[3] for p in printed]

    # Keep track of correct guesses in a confusion matrix
    confusion = torch.zeros(n_categories, n_categories)
    n_confusion = 40  # (the tutorial's 10000)

    # Just return an output given a line
    def evaluate(line_tensor):
        hidden = rnn.initHidden()

        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)

        return output

    # Go through a bunch of examples and record which are correctly guessed
    for i in range(n_confusion):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        output = evaluate(line_tensor)
        guess, guess_i = categoryFromOutput(output)
        category_i = all_categories.index(category)
        confusion[category_i][guess_i] += 1

    # Normalize by dividing every row by its sum
    for i in range(n_categories):
        confusion[i] = confusion[i] / confusion[i].sum()
    out["confusion"] = confusion

    predictions_made = []

    def predict(input_line, n_predictions=3):
        print("\n> %s" % input_line)
        with torch.no_grad():
            output = evaluate(lineToTensor(input_line))

            # Get top N categories
            topv, topi = output.topk(n_predictions, 1, True)
            predictions = []

            for i in range(n_predictions):
                value = topv[0][i].item()
                category_index = topi[0][i].item()
                print("(%.2f) %s" % (value, all_categories[category_index]))
                predictions.append([value, all_categories[category_index]])
        predictions_made.append(predictions)

    predict("Dovesky")
    predict("Jackson")
    predict("Satoshi")
    out["predictions"] = predictions_made
    out["i2h.weight"] = rnn.i2h.weight
    return out


# -- NLP From Scratch: Generating Names with a Character-Level RNN ---------------------------------
GENERATE_HIDDEN = 32
N_LETTERS_EOS = 59  # string.ascii_letters + " .,;'-", and EOS


def _generate_data() -> Data:
    g = rng(72)
    n_in = len(NAMES) + N_LETTERS_EOS + GENERATE_HIDDEN
    n_o2o = GENERATE_HIDDEN + N_LETTERS_EOS
    return {
        "i2h.weight": _uniform(g, (GENERATE_HIDDEN, n_in), n_in),
        "i2h.bias": _uniform(g, (GENERATE_HIDDEN,), n_in),
        "i2o.weight": _uniform(g, (N_LETTERS_EOS, n_in), n_in),
        "i2o.bias": _uniform(g, (N_LETTERS_EOS,), n_in),
        "o2o.weight": _uniform(g, (N_LETTERS_EOS, n_o2o), n_o2o),
        "o2o.bias": _uniform(g, (N_LETTERS_EOS,), n_o2o),
    }


@program(
    "tutorial: NLP From Scratch: Generating Names with a Character-Level RNN",
    data=_generate_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_char_rnn_generation(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    import random
    import string
    import unicodedata

    out: dict[str, Any] = {}
    random.seed(0)  # (Python's own generator: the same examples in both libraries)

    all_letters = string.ascii_letters + " .,;'-"
    n_letters = len(all_letters) + 1  # Plus EOS marker

    def unicodeToAscii(s):
        return "".join(
            c
            for c in unicodedata.normalize("NFD", s)
            if unicodedata.category(c) != "Mn" and c in all_letters
        )

    # Build the category_lines dictionary, a list of lines per category
    category_lines = {}
    all_categories = []
    # (the names of each language, not read from files)
    for category, lines in NAMES.items():
        all_categories.append(category)
        lines = [unicodeToAscii(line) for line in lines]
        category_lines[category] = lines

    n_categories = len(all_categories)

    print("# categories:", n_categories, all_categories)
    print(unicodeToAscii("O'Néàl"))

    nn = torch.nn

    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(RNN, self).__init__()
            self.hidden_size = hidden_size

            self.i2h = nn.Linear(n_categories + input_size + hidden_size, hidden_size)
            self.i2o = nn.Linear(n_categories + input_size + hidden_size, output_size)
            self.o2o = nn.Linear(hidden_size + output_size, output_size)
            self.dropout = nn.Dropout(0.1)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, category, input, hidden):
            input_combined = torch.cat((category, input, hidden), 1)
            hidden = self.i2h(input_combined)
            output = self.i2o(input_combined)
            output_combined = torch.cat((hidden, output), 1)
            output = self.o2o(output_combined)
            output = self.dropout(output)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self):
            return torch.zeros(1, self.hidden_size)

    # Random item from a list
    def randomChoice(l):
        return l[random.randint(0, len(l) - 1)]

    # Get a random category and random line from that category
    def randomTrainingPair():
        category = randomChoice(all_categories)
        line = randomChoice(category_lines[category])
        return category, line

    # One-hot vector for category
    def categoryTensor(category):
        li = all_categories.index(category)
        tensor = torch.zeros(1, n_categories)
        tensor[0][li] = 1
        return tensor

    # One-hot matrix of first to last letters (not including EOS) for input
    def inputTensor(line):
        tensor = torch.zeros(len(line), 1, n_letters)
        for li in range(len(line)):
            letter = line[li]
            tensor[li][0][all_letters.find(letter)] = 1
        return tensor

    # ``LongTensor`` of second letter to end (EOS) for target
    def targetTensor(line):
        letter_indexes = [all_letters.find(line[li]) for li in range(1, len(line))]
        letter_indexes.append(n_letters - 1)  # EOS
        return torch.LongTensor(letter_indexes)

    # Make category, input, and target tensors from a random category, line pair
    def randomTrainingExample():
        category, line = randomTrainingPair()
        category_tensor = categoryTensor(category)
        input_line_tensor = inputTensor(line)
        target_line_tensor = targetTensor(line)
        return category_tensor, input_line_tensor, target_line_tensor

    criterion = nn.NLLLoss()

    learning_rate = 0.0005

    def train(category_tensor, input_line_tensor, target_line_tensor):
        target_line_tensor.unsqueeze_(-1)
        hidden = rnn.initHidden()

        rnn.zero_grad()

        loss = torch.Tensor([0])  # you can also just simply use ``loss = 0``

        for i in range(input_line_tensor.size(0)):
            output, hidden = rnn(category_tensor, input_line_tensor[i], hidden)
            l = criterion(output, target_line_tensor[i])
            loss += l

        loss.backward()

        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)

        return output, loss.item() / input_line_tensor.size(0)

    rnn = RNN(n_letters, GENERATE_HIDDEN, n_letters)  # (the tutorial's 128 hidden units)
    _load(torch, rnn, data, "")
    # Note: eval mode, not the tutorial's training mode: dropout's random masks differ between
    # the libraries, so both train without them to take the same steps
    rnn.eval()

    n_iters = 30  # (the tutorial's 100000)
    print_every = 10
    plot_every = 5
    all_losses = []
    total_loss = 0  # Reset every ``plot_every`` ``iters``
    outputs = []

    for iter in range(1, n_iters + 1):
        output, loss = train(*randomTrainingExample())
        total_loss += loss

        if iter % print_every == 0:
            print("(%d %d%%) %.4f" % (iter, iter / n_iters * 100, loss))
            outputs.append(output)

        if iter % plot_every == 0:
            all_losses.append(total_loss / plot_every)
            total_loss = 0
    out["all_losses"] = all_losses
    out["outputs"] = outputs

    max_length = 20

    # Sample from a category and starting letter
    def sample(category, start_letter="A"):
        with torch.no_grad():  # no need to track history in sampling
            category_tensor = categoryTensor(category)
            input = inputTensor(start_letter)
            hidden = rnn.initHidden()

            output_name = start_letter

            for i in range(max_length):
                output, hidden = rnn(category_tensor, input[0], hidden)
                topv, topi = output.topk(1)
                topi = topi[0][0]
                if topi == n_letters - 1:
                    break
                else:
                    letter = all_letters[topi]
                    output_name += letter
                input = inputTensor(letter)

            return output_name

    # Get multiple samples from one category and multiple starting letters
    names = []

    def samples(category, start_letters="ABC"):
        for start_letter in start_letters:
            names.append(sample(category, start_letter))
            print(names[-1])

    samples("Russian", "RUS")
    samples("French", "FRE")
    samples("Japanese", "JPN")
    out["samples"] = names
    out["o2o.weight"] = rnn.o2o.weight
    return out


# -- pytorch/examples: vae (a variational auto-encoder) -------------------------------------------
VAE_BATCH = 16


def _vae_data() -> Data:
    g = rng(73)
    shapes = {
        "fc1": (400, 784),
        "fc21": (20, 400),
        "fc22": (20, 400),
        "fc3": (400, 20),
        "fc4": (784, 400),
    }
    out: Data = {}
    for k, (o, i) in shapes.items():
        out[f"vae.{k}.weight"] = _uniform(g, (o, i), i)
        out[f"vae.{k}.bias"] = _uniform(g, (o,), i)
    # MNIST's shapes: 1 x 28 x 28 images in [0, 1] (ToTensor), three training batches, one test
    out["train images"] = g.random((3 * VAE_BATCH, 1, 28, 28), dtype=np.float32)
    out["train labels"] = g.integers(0, 10, 3 * VAE_BATCH)
    out["test images"] = g.random((VAE_BATCH, 1, 28, 28), dtype=np.float32)
    out["test labels"] = g.integers(0, 10, VAE_BATCH)
    # the normal draws of torch.randn_like(std) in reparameterize (one a forward pass, for
    # 2 epochs of 3 training batches and 1 test batch), and of the sample's torch.randn(64, 20)
    out["eps"] = g.standard_normal((8, VAE_BATCH, 20)).astype(np.float32)
    out["sample"] = g.standard_normal((2, 64, 20)).astype(np.float32)
    return out


@program("pytorch/examples: vae (main.py)", data=_vae_data, rtol=1e-4, atol=1e-5)
def examples_vae(torch: Any, arrays: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    out: dict[str, Any] = {}

    class Args:  # (the script's argparse defaults, with a small batch and two epochs)
        batch_size = VAE_BATCH
        epochs = 2
        log_interval = 1

    args = Args()
    torch.manual_seed(1)
    device = torch.device("cpu")

    # MNIST is not here: TensorDatasets of its shapes stand in for it (unshuffled: a shuffled
    # order is each library's own)
    TensorDataset = torch.utils.data.TensorDataset
    train_loader = torch.utils.data.DataLoader(
        TensorDataset(
            torch.from_numpy(arrays["train images"]), torch.from_numpy(arrays["train labels"])
        ),
        batch_size=args.batch_size,
        shuffle=False,
    )
    test_loader = torch.utils.data.DataLoader(
        TensorDataset(
            torch.from_numpy(arrays["test images"]), torch.from_numpy(arrays["test labels"])
        ),
        batch_size=args.batch_size,
        shuffle=False,
    )
    eps_draws = iter(arrays["eps"])
    eps_shapes = []

    class VAE(nn.Module):
        def __init__(self):
            super(VAE, self).__init__()

            self.fc1 = nn.Linear(784, 400)
            self.fc21 = nn.Linear(400, 20)
            self.fc22 = nn.Linear(400, 20)
            self.fc3 = nn.Linear(20, 400)
            self.fc4 = nn.Linear(400, 784)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5 * logvar)
            eps = torch.randn_like(std)
            eps_shapes.append((tuple(eps.shape), eps.dtype))
            # (the same normal draws in both libraries)
            eps = torch.from_numpy(next(eps_draws).copy())
            return mu + eps * std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 784))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    model = VAE().to(device)
    _load(torch, model, arrays, "vae.")
    optimizer = optim.Adam(model.parameters(), lr=1e-3)

    # Reconstruction + KL divergence losses summed over all elements and batch
    def loss_function(recon_x, x, mu, logvar):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")

        # see Appendix B from VAE paper:
        # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
        # https://arxiv.org/abs/1312.6114
        # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

        return BCE + KLD

    train_losses, test_losses, comparisons = [], [], []

    def train(epoch):
        model.train()
        train_loss = 0
        for batch_idx, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print(
                    "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                        epoch,
                        batch_idx * len(data),
                        len(train_loader.dataset),
                        100.0 * batch_idx / len(train_loader),
                        loss.item() / len(data),
                    )
                )

        print(
            "====> Epoch: {} Average loss: {:.4f}".format(
                epoch, train_loss / len(train_loader.dataset)
            )
        )
        train_losses.append(train_loss / len(train_loader.dataset))

    def test(epoch):
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat(
                        [data[:n], recon_batch.view(args.batch_size, 1, 28, 28)[:n]]
                    )
                    # (returned, not written with torchvision's save_image)
                    comparisons.append(comparison.cpu())

        test_loss /= len(test_loader.dataset)
        print("====> Test set loss: {:.4f}".format(test_loss))
        test_losses.append(test_loss)

    samples = []
    for epoch in range(1, args.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            out[f"randn sample {epoch}"] = (tuple(sample.shape), sample.dtype)
            sample = torch.from_numpy(arrays["sample"][epoch - 1].copy())  # (the same draws)
            sample = model.decode(sample).cpu()
            samples.append(sample.view(64, 1, 28, 28))
    out["train losses"] = train_losses
    out["test losses"] = test_losses
    out["comparisons"] = comparisons
    out["samples"] = samples
    out["eps shapes"] = eps_shapes
    out["fc21.weight"] = model.fc21.weight
    out["fc4.bias"] = model.fc4.bias
    return out


# -- pytorch/examples: time_sequence_prediction (two LSTMCells, LBFGS) -----------------------------


def _sine_data() -> Data:
    # generate_sine_wave.py, with fewer and shorter waves (its T = 20, L = 1000, N = 100)
    g = rng(74)
    T, L, N = 20, 14, 5
    x = np.empty((N, L), "int64")
    x[:] = np.array(range(L)) + g.integers(-4 * T, 4 * T, N).reshape(N, 1)
    out = {"traindata": np.sin(x / 1.0 / T).astype("float64")}
    for k, shape, fan_in in (
        ("lstm1.weight_ih", (4 * 51, 1), 51),
        ("lstm1.weight_hh", (4 * 51, 51), 51),
        ("lstm1.bias_ih", (4 * 51,), 51),
        ("lstm1.bias_hh", (4 * 51,), 51),
        ("lstm2.weight_ih", (4 * 51, 51), 51),
        ("lstm2.weight_hh", (4 * 51, 51), 51),
        ("lstm2.bias_ih", (4 * 51,), 51),
        ("lstm2.bias_hh", (4 * 51,), 51),
        ("linear.weight", (1, 51), 51),
        ("linear.bias", (1,), 51),
    ):
        out["seq." + k] = _uniform(g, shape, fan_in)
    return out


@program(
    "pytorch/examples: time_sequence_prediction (train.py)",
    data=_sine_data,
    rtol=1e-6,
    atol=1e-8,
    # (on Dask each of LBFGS's dot products is a Python float, computed at once: ~2 min)
    slow_on=("dask",),
)
def examples_time_sequence_prediction(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    optim = torch.optim
    out: dict[str, Any] = {}

    class Sequence(nn.Module):
        def __init__(self):
            super(Sequence, self).__init__()
            self.lstm1 = nn.LSTMCell(1, 51)
            self.lstm2 = nn.LSTMCell(51, 51)
            self.linear = nn.Linear(51, 1)

        def forward(self, input, future=0):
            outputs = []
            h_t = torch.zeros(input.size(0), 51, dtype=torch.double)
            c_t = torch.zeros(input.size(0), 51, dtype=torch.double)
            h_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
            c_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)

            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for i in range(future):  # if we should predict the future
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            outputs = torch.cat(outputs, dim=1)
            return outputs

    steps = 2  # (the script's --steps 15)
    # set random seed to 0
    np.random.seed(0)
    torch.manual_seed(0)
    # load data and make training set (the generated waves, not read from traindata.pt)
    traindata = data["traindata"]
    input = torch.from_numpy(traindata[3:, :-1])
    target = torch.from_numpy(traindata[3:, 1:])
    test_input = torch.from_numpy(traindata[:3, :-1])
    test_target = torch.from_numpy(traindata[:3, 1:])
    # build the model
    seq = Sequence()
    seq.double()
    # (the same initial weights in both libraries, in float64 as seq.double() made them)
    seq.load_state_dict(
        {k[4:]: torch.from_numpy(v.astype("float64")) for k, v in data.items() if k[:4] == "seq."}
    )
    criterion = nn.MSELoss()
    # use LBFGS as optimizer since we can load the whole data to train
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    losses, test_losses, predictions = [], [], []
    # begin to train
    for i in range(steps):
        print("STEP: ", i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print("loss:", loss.item())
            losses.append(loss.item())
            loss.backward()
            return loss

        optimizer.step(closure)
        # begin to predict, no need to track gradient here
        with torch.no_grad():
            future = 10  # (the script's 1000)
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print("test loss:", loss.item())
            test_losses.append(loss.item())
            y = pred.detach().numpy()
            predictions.append(y)
    out["losses"] = losses
    out["test losses"] = test_losses
    out["predictions"] = predictions
    out["linear.weight"] = seq.linear.weight
    out["lstm1.weight_hh"] = seq.lstm1.weight_hh
    return out


# -- PyTorch tutorial: Adversarial Example Generation (FGSM) --------------------------------------
FGSM_EXAMPLES = 8


def _fgsm_net(g: np.random.Generator) -> Data:
    # the tutorial's Net with fewer channels and units (4, 8 and 16 for its 32, 64 and 128)
    shapes = {
        "conv1.weight": ((4, 1, 3, 3), 9),
        "conv1.bias": ((4,), 9),
        "conv2.weight": ((8, 4, 3, 3), 36),
        "conv2.bias": ((8,), 36),
        "fc1.weight": ((16, 8 * 12 * 12), 8 * 12 * 12),
        "fc1.bias": ((16,), 8 * 12 * 12),
        "fc2.weight": ((10, 16), 16),
        "fc2.bias": ((10,), 16),
    }
    return {"net." + k: _uniform(g, s, f) for k, (s, f) in shapes.items()}


def _fgsm_predictions(net: Data, images: np.ndarray) -> np.ndarray:
    """The net's classes for ``images``, computed with NumPy (to label most of the test set
    as the net classifies it: the tutorial attacks only the examples it gets right)."""

    def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
        return np.einsum("nchwij,ocij->nohw", windows, w) + b[:, None, None]

    x = np.maximum(conv(images, net["net.conv1.weight"], net["net.conv1.bias"]), 0)
    x = np.maximum(conv(x, net["net.conv2.weight"], net["net.conv2.bias"]), 0)
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5)).reshape(n, -1)
    x = np.maximum(x @ net["net.fc1.weight"].T + net["net.fc1.bias"], 0)
    return np.argmax(x @ net["net.fc2.weight"].T + net["net.fc2.bias"], axis=1)


def _fgsm_data() -> Data:
    g = rng(75)
    out = _fgsm_net(g)
    # MNIST test images in [0, 1], normalised as the tutorial's Normalize((0.1307,), (0.3081,))
    images = g.uniform(0.0, 1.0, (FGSM_EXAMPLES, 1, 1, 28, 28)) ** 4
    normalised = ((images - 0.1307) / 0.3081).astype(np.float32)
    labels = _fgsm_predictions(out, normalised[:, 0].astype(np.float64))
    labels[::4] = (labels[::4] + 1) % 10  # (a few the net gets wrong, which it skips)
    out["images"] = normalised
    out["labels"] = labels.reshape(FGSM_EXAMPLES, 1)
    return out


@program("tutorial: Adversarial Example Generation (FGSM)", data=_fgsm_data, rtol=1e-4, atol=1e-5)
def tut_fgsm(torch: Any, arrays: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    out: dict[str, Any] = {}

    epsilons = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    # Set random seed for reproducibility
    torch.manual_seed(42)

    # LeNet Model definition (with fewer channels and units)
    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(1152, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    # MNIST Test dataset and dataloader declaration (random images, one at a time)
    test_loader = [
        (torch.from_numpy(x), torch.from_numpy(y))
        for x, y in zip(arrays["images"], arrays["labels"], strict=True)
    ]

    device = torch.device("cpu")

    # Initialize the network
    model = Net().to(device)

    # Load the pretrained model (the same weights in both libraries, not lenet_mnist_model.pth)
    _load(torch, model, arrays, "net.")

    # Set the model in evaluation mode. In this case this is for the Dropout layers
    model.eval()

    # FGSM attack code
    def fgsm_attack(image, epsilon, data_grad):
        # Collect the element-wise sign of the data gradient
        sign_data_grad = data_grad.sign()
        # Create the perturbed image by adjusting each pixel of the input image
        perturbed_image = image + epsilon * sign_data_grad
        # Adding clipping to maintain [0,1] range
        perturbed_image = torch.clamp(perturbed_image, 0, 1)
        # Return the perturbed image
        return perturbed_image

    # restores the tensors to their original scale
    def denorm(batch, mean=[0.1307], std=[0.3081]):
        """
        Convert a batch of tensors to their original scale.

        Args:
            batch (torch.Tensor): Batch of normalized tensors.
            mean (torch.Tensor or list): Mean used for normalization.
            std (torch.Tensor or list): Standard deviation used for normalization.

        Returns:
            torch.Tensor: batch of tensors without normalization applied to them.
        """
        if isinstance(mean, list):
            mean = torch.tensor(mean).to(device)
        if isinstance(std, list):
            std = torch.tensor(std).to(device)

        return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)

    def test(model, device, test_loader, epsilon):
        # Accuracy counter
        correct = 0
        adv_examples = []

        # Loop over all examples in test set
        for data, target in test_loader:
            # Send the data and label to the device
            data, target = data.to(device), target.to(device)

            # Set requires_grad attribute of tensor. Important for Attack
            data.requires_grad = True

            # Forward pass the data through the model
            output = model(data)
            init_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability

            # If the initial prediction is wrong, don't bother attacking, just move on
            if init_pred.item() != target.item():
                continue

            # Calculate the loss
            loss = F.nll_loss(output, target)

            # Zero all existing gradients
            model.zero_grad()

            # Calculate gradients of model in backward pass
            loss.backward()

            # Collect ``datagrad``
            data_grad = data.grad.data

            # Restore the data to its original scale
            data_denorm = denorm(data)

            # Call FGSM Attack
            perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)

            # Reapply normalization (torchvision's transforms.Normalize((0.1307,), (0.3081,)))
            perturbed_data_normalized = (perturbed_data - 0.1307) / 0.3081

            # Re-classify the perturbed image
            output = model(perturbed_data_normalized)

            # Check for success
            final_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability
            if final_pred.item() == target.item():
                correct += 1
                # Special case for saving 0 epsilon examples
                if epsilon == 0 and len(adv_examples) < 5:
                    adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                    adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
            else:
                # Save some adv examples for visualization later
                if len(adv_examples) < 5:
                    adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                    adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))

        # Calculate final accuracy for this epsilon
        final_acc = correct / float(len(test_loader))
        print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}")

        # Return the accuracy and an adversarial example
        return final_acc, adv_examples

    accuracies = []
    examples = []

    # Run test for each epsilon
    for eps in epsilons:
        acc, ex = test(model, device, test_loader, eps)
        accuracies.append(acc)
        examples.append(ex)
    out["accuracies"] = accuracies
    out["examples"] = [[(a, b, np.asarray(e)) for a, b, e in ex] for ex in examples]
    return out


# -- Deep Learning for NLP with PyTorch: word embeddings, an N-gram language model ---------------

# (the first lines of Shakespeare's Sonnet 2, as the tutorial's test_sentence)
SONNET = """When forty winters shall besiege thy brow,
And dig deep trenches in thy beauty's field,
Thy youth's proud livery so gazed on now,
Will be a totter'd weed of small worth held:
Then being asked, where all thy beauty lies,
Where all the treasure of thy lusty days;"""
NGRAM_VOCAB = len(set(SONNET.split()))


def _ngram_data() -> Data:
    g = rng(76)
    return {
        "embeddings.weight": g.standard_normal((NGRAM_VOCAB, 10)).astype(np.float32),
        "linear1.weight": _uniform(g, (128, 20), 20),
        "linear1.bias": _uniform(g, (128,), 20),
        "linear2.weight": _uniform(g, (NGRAM_VOCAB, 128), 128),
        "linear2.bias": _uniform(g, (NGRAM_VOCAB,), 128),
    }


@program(
    "tutorial: Word Embeddings: Encoding Lexical Semantics (N-gram language model)",
    data=_ngram_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_ngram_language_model(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    out: dict[str, Any] = {}

    torch.manual_seed(1)

    CONTEXT_SIZE = 2
    EMBEDDING_DIM = 10
    # We will use Shakespeare Sonnet 2 (its first six lines)
    test_sentence = SONNET.split()
    # we should tokenize the input, but we will ignore that for now
    # build a list of tuples.
    # Each tuple is ([ word_i-CONTEXT_SIZE, ..., word_i-1 ], target word)
    ngrams = [
        ([test_sentence[i - j - 1] for j in range(CONTEXT_SIZE)], test_sentence[i])
        for i in range(CONTEXT_SIZE, len(test_sentence))
    ]
    # Print the first 3, just so you can see what they look like.
    print(ngrams[:3])

    vocab = set(test_sentence)
    word_to_ix = {word: i for i, word in enumerate(vocab)}

    class NGramLanguageModeler(nn.Module):
        def __init__(self, vocab_size, embedding_dim, context_size):
            super(NGramLanguageModeler, self).__init__()
            self.embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.linear1 = nn.Linear(context_size * embedding_dim, 128)
            self.linear2 = nn.Linear(128, vocab_size)

        def forward(self, inputs):
            embeds = self.embeddings(inputs).view((1, -1))
            out = F.relu(self.linear1(embeds))
            out = self.linear2(out)
            log_probs = F.log_softmax(out, dim=1)
            return log_probs

    losses = []
    loss_function = nn.NLLLoss()
    model = NGramLanguageModeler(len(vocab), EMBEDDING_DIM, CONTEXT_SIZE)
    _load(torch, model, data, "")  # (the same initial weights in both libraries)
    optimizer = optim.SGD(model.parameters(), lr=0.001)

    for epoch in range(3):  # (the tutorial's 10)
        total_loss = 0
        for context, target in ngrams:
            # Step 1. Prepare the inputs to be passed to the model (i.e, turn the words
            # into integer indices and wrap them in tensors)
            context_idxs = torch.tensor([word_to_ix[w] for w in context], dtype=torch.long)

            # Step 2. Recall that torch *accumulates* gradients. Before passing in a
            # new instance, you need to zero out the gradients from the old
            # instance
            model.zero_grad()

            # Step 3. Run the forward pass, getting log probabilities over next
            # words
            log_probs = model(context_idxs)

            # Step 4. Compute your loss function. (Again, Torch wants the target
            # word wrapped in a tensor)
            loss = loss_function(log_probs, torch.tensor([word_to_ix[target]], dtype=torch.long))

            # Step 5. Do the backward pass and update the gradient
            loss.backward()
            optimizer.step()

            # Get the Python number from a 1-element Tensor by calling tensor.item()
            total_loss += loss.item()
        losses.append(total_loss)
    print(losses)  # The loss decreased every iteration over the training data!
    out["losses"] = losses

    # To get the embedding of a particular word, e.g. "beauty"
    print(model.embeddings.weight[word_to_ix["beauty"]])
    out["embedding of 'beauty'"] = model.embeddings.weight[word_to_ix["beauty"]]
    out["last log_probs"] = log_probs
    out["linear2.weight"] = model.linear2.weight
    return out
