"""Programs with recurrent layers: PyTorch's "Sequence Models and Long Short-Term Memory
Networks" tutorial's LSTM part-of-speech tagger (``nn.Embedding``, ``nn.LSTM``,
``nn.Linear``, ``F.log_softmax``, ``nn.NLLLoss``, ``optim.SGD``).

The tutorial's initial weights are drawn by ``torch.manual_seed(1)``; here they come from
``data`` (built with NumPy) so that both libraries start from the same numbers, and it trains
for a few epochs instead of 300. Everything else is the tutorial's code.
"""

# ruff: noqa: B007, RET504, SIM905, UP008  (the tutorial's code, kept as it writes it)

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng
from .tutorials import _load, _uniform

Data = dict[str, np.ndarray]

EMBEDDING_DIM = 6
HIDDEN_DIM = 6
VOCAB_SIZE = 9  # the distinct words of the two training sentences
TAGSET_SIZE = 3


def _tagger_data() -> Data:
    g = rng(41)
    shapes = {
        "lstm.weight_ih_l0": (4 * HIDDEN_DIM, EMBEDDING_DIM),
        "lstm.weight_hh_l0": (4 * HIDDEN_DIM, HIDDEN_DIM),
        "lstm.bias_ih_l0": (4 * HIDDEN_DIM,),
        "lstm.bias_hh_l0": (4 * HIDDEN_DIM,),
    }
    out = {k: _uniform(g, s, HIDDEN_DIM) for k, s in shapes.items()}
    out["word_embeddings.weight"] = g.standard_normal((VOCAB_SIZE, EMBEDDING_DIM)).astype(
        np.float32
    )
    bound = 1 / math.sqrt(HIDDEN_DIM)
    out["hidden2tag.weight"] = g.uniform(-bound, bound, (TAGSET_SIZE, HIDDEN_DIM)).astype(
        np.float32
    )
    out["hidden2tag.bias"] = g.uniform(-bound, bound, (TAGSET_SIZE,)).astype(np.float32)
    return out


@program(
    "tutorial: Sequence Models and LSTM Networks (LSTM part-of-speech tagger)",
    data=_tagger_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_lstm_tagger(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    out: dict[str, Any] = {}

    torch.manual_seed(1)

    def prepare_sequence(seq, to_ix):
        idxs = [to_ix[w] for w in seq]
        return torch.tensor(idxs, dtype=torch.long)

    training_data = [
        # Tags are: DET - determiner; NN - noun; V - verb
        # For example, the word "The" is a determiner
        ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
        ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
    ]
    word_to_ix = {}
    # For each words-list (sentence) and tags-list in each tuple of training_data
    for sent, tags in training_data:
        for word in sent:
            if word not in word_to_ix:  # word has not been assigned an index yet
                word_to_ix[word] = len(word_to_ix)  # Assign each word with a unique index
    print(word_to_ix)
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}  # Assign each tag with a unique index

    # These will usually be more like 32 or 64 dimensional.
    # We will keep them small, so we can see how the weights change as we train.
    EMBEDDING_DIM = 6
    HIDDEN_DIM = 6

    class LSTMTagger(nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super(LSTMTagger, self).__init__()
            self.hidden_dim = hidden_dim

            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)

            # The LSTM takes word embeddings as inputs, and outputs hidden states
            # with dimensionality hidden_dim.
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)

            # The linear layer that maps from hidden state space to tag space
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            tag_scores = F.log_softmax(tag_space, dim=1)
            return tag_scores

    model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
    _load(torch, model, data, "")
    print(model)
    out["state_dict keys"] = list(model.state_dict())
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    # See what the scores are before training
    # Note that element i,j of the output is the score for tag j for word i.
    # Here we don't need to train, so the code is wrapped in torch.no_grad()
    with torch.no_grad():
        inputs = prepare_sequence(training_data[0][0], word_to_ix)
        tag_scores = model(inputs)
        print(tag_scores)
    out["tag_scores before"] = tag_scores

    losses = []
    for epoch in range(5):  # (the tutorial's 300, cut to a few)
        for sentence, tags in training_data:
            # Step 1. Remember that Pytorch accumulates gradients.
            # We need to clear them out before each instance
            model.zero_grad()

            # Step 2. Get our inputs ready for the network, that is, turn them into
            # Tensors of word indices.
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, tag_to_ix)

            # Step 3. Run our forward pass.
            tag_scores = model(sentence_in)

            # Step 4. Compute the loss, gradients, and update the parameters by
            #  calling optimizer.step()
            loss = loss_function(tag_scores, targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    out["losses"] = losses

    # See what the scores are after training
    with torch.no_grad():
        inputs = prepare_sequence(training_data[0][0], word_to_ix)
        tag_scores = model(inputs)

        # The sentence is "the dog ate the apple".  i,j corresponds to score for tag j
        # for word i. The predicted tag is the maximum scoring tag.
        # Here, we can see the predicted sequence below is 0 1 2 0 1
        # since 0 is index of the maximum value of row 1,
        # 1 is the index of maximum value of row 2, etc.
        # Which is DET NOUN VERB DET NOUN, the correct sequence!
        print(tag_scores)
    out["tag_scores after"] = tag_scores
    out["predicted tags"] = tag_scores.argmax(dim=1)
    out["lstm.weight_hh_l0"] = model.lstm.weight_hh_l0
    return out
