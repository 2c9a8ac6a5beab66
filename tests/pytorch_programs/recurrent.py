"""Programs with recurrent layers: PyTorch's "Sequence Models and Long Short-Term Memory
Networks" tutorial's LSTM part-of-speech tagger (``nn.Embedding``, ``nn.LSTM``,
``nn.Linear``, ``F.log_softmax``, ``nn.NLLLoss``, ``optim.SGD``).

The tutorial's initial weights are drawn by ``torch.manual_seed(1)``; here they come from
``data`` (built with NumPy) so that both libraries start from the same numbers, and it trains
for a few epochs instead of 300. Everything else is the tutorial's code.
"""

# ruff: noqa: B007, E501, RET504, SIM905, UP008  (the tutorials' code, kept as they write it)

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


# -- PyTorch's Chatbot Tutorial: a sequence-to-sequence model on packed sequences ------------------
CHAT_HIDDEN = 8
CHAT_VOCAB = 12  # PAD 0, SOS 1, EOS 2 and nine words
CHAT_LAYERS = 2


def _chatbot_data() -> Data:
    g = rng(43)
    h, v, n = CHAT_HIDDEN, CHAT_VOCAB, CHAT_LAYERS
    out: Data = {"embedding.weight": g.standard_normal((v, h)).astype(np.float32)}
    for prefix, directions in (("encoder.gru.", ("", "_reverse")), ("decoder.gru.", ("",))):
        for layer in range(n):
            for d in directions:
                fan_in = h if layer == 0 or prefix.startswith("decoder") else 2 * h
                out[f"{prefix}weight_ih_l{layer}{d}"] = _uniform(g, (3 * h, fan_in), h)
                out[f"{prefix}weight_hh_l{layer}{d}"] = _uniform(g, (3 * h, h), h)
                out[f"{prefix}bias_ih_l{layer}{d}"] = _uniform(g, (3 * h,), h)
                out[f"{prefix}bias_hh_l{layer}{d}"] = _uniform(g, (3 * h,), h)
    out["decoder.concat.weight"] = _uniform(g, (h, 2 * h), 2 * h)
    out["decoder.concat.bias"] = _uniform(g, (h,), 2 * h)
    out["decoder.out.weight"] = _uniform(g, (v, h), h)
    out["decoder.out.bias"] = _uniform(g, (v,), h)
    return out


@program(
    "tutorial: Chatbot Tutorial (GRU encoder on packed sequences, Luong attention decoder)",
    data=_chatbot_data,
    rtol=1e-4,
    atol=1e-5,
    # (on Dask each .item() in the decoder's loop computes the step so far: ~25 s)
)
def tut_chatbot(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    out: dict[str, Any] = {}
    PAD_token, SOS_token = 0, 1  # (EOS_token = 2 ends every sentence below)

    class EncoderRNN(nn.Module):
        def __init__(self, hidden_size, embedding, n_layers=1, dropout=0):
            super(EncoderRNN, self).__init__()
            self.n_layers = n_layers
            self.hidden_size = hidden_size
            self.embedding = embedding

            # Initialize GRU; the input_size and hidden_size parameters are both set to 'hidden_size'
            #   because our input size is a word embedding with number of features == hidden_size
            self.gru = nn.GRU(
                hidden_size,
                hidden_size,
                n_layers,
                dropout=(0 if n_layers == 1 else dropout),
                bidirectional=True,
            )

        def forward(self, input_seq, input_lengths, hidden=None):
            # Convert word indexes to embeddings
            embedded = self.embedding(input_seq)
            # Pack padded batch of sequences for RNN module
            packed = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths)
            # Forward pass through GRU
            outputs, hidden = self.gru(packed, hidden)
            # Unpack padding
            outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs)
            # Sum bidirectional GRU outputs
            outputs = outputs[:, :, : self.hidden_size] + outputs[:, :, self.hidden_size :]
            # Return output and final hidden state
            return outputs, hidden

    # Luong attention layer
    class Attn(nn.Module):
        def __init__(self, method, hidden_size):
            super(Attn, self).__init__()
            self.method = method
            if self.method not in ["dot", "general", "concat"]:
                raise ValueError(self.method, "is not an appropriate attention method.")
            self.hidden_size = hidden_size

        def dot_score(self, hidden, encoder_output):
            return torch.sum(hidden * encoder_output, dim=2)

        def forward(self, hidden, encoder_outputs):
            attn_energies = self.dot_score(hidden, encoder_outputs)
            # Transpose max_length and batch_size dimensions
            attn_energies = attn_energies.t()
            # Return the softmax normalized probability scores (with added dimension)
            return F.softmax(attn_energies, dim=1).unsqueeze(1)

    class LuongAttnDecoderRNN(nn.Module):
        def __init__(
            self, attn_model, embedding, hidden_size, output_size, n_layers=1, dropout=0.1
        ):
            super(LuongAttnDecoderRNN, self).__init__()

            # Keep for reference
            self.attn_model = attn_model
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.n_layers = n_layers
            self.dropout = dropout

            # Define layers
            self.embedding = embedding
            self.embedding_dropout = nn.Dropout(dropout)
            self.gru = nn.GRU(
                hidden_size, hidden_size, n_layers, dropout=(0 if n_layers == 1 else dropout)
            )
            self.concat = nn.Linear(hidden_size * 2, hidden_size)
            self.out = nn.Linear(hidden_size, output_size)

            self.attn = Attn(attn_model, hidden_size)

        def forward(self, input_step, last_hidden, encoder_outputs):
            # Note: we run this one step (word) at a time
            # Get embedding of current input word
            embedded = self.embedding(input_step)
            embedded = self.embedding_dropout(embedded)
            # Forward through unidirectional GRU
            rnn_output, hidden = self.gru(embedded, last_hidden)
            # Calculate attention weights from the current GRU output
            attn_weights = self.attn(rnn_output, encoder_outputs)
            # Multiply attention weights to encoder outputs to get new "weighted sum" context vector
            context = attn_weights.bmm(encoder_outputs.transpose(0, 1))
            # Concatenate weighted context vector and GRU output using Luong eq. 5
            rnn_output = rnn_output.squeeze(0)
            context = context.squeeze(1)
            concat_input = torch.cat((rnn_output, context), 1)
            concat_output = torch.tanh(self.concat(concat_input))
            # Predict next word using Luong eq. 6
            output = self.out(concat_output)
            output = F.softmax(output, dim=1)
            # Return output and final hidden state
            return output, hidden

    def maskNLLLoss(inp, target, mask):
        nTotal = mask.sum()
        crossEntropy = -torch.log(torch.gather(inp, 1, target.view(-1, 1)).squeeze(1))
        loss = crossEntropy.masked_select(mask).mean()
        return loss, nTotal.item()

    # a batch of three sentences (word indexes, EOS-terminated), longest first, as the
    # tutorial's batch2TrainData sorts them, padded with PAD_token
    pairs = [
        ([3, 4, 5, 6, 2], [7, 8, 2]),
        ([9, 10, 2], [11, 3, 4, 2]),
        ([5, 2], [6, 2]),
    ]
    lengths = torch.tensor([len(p[0]) for p in pairs])
    max_in = max(len(p[0]) for p in pairs)
    max_target_len = max(len(p[1]) for p in pairs)
    inp = torch.LongTensor(
        [[p[0][t] if t < len(p[0]) else PAD_token for p in pairs] for t in range(max_in)]
    )
    target_variable = torch.LongTensor(
        [[p[1][t] if t < len(p[1]) else PAD_token for p in pairs] for t in range(max_target_len)]
    )
    mask = torch.BoolTensor(
        [
            [p[1][t] != PAD_token if t < len(p[1]) else False for p in pairs]
            for t in range(max_target_len)
        ]
    )
    batch_size = len(pairs)

    embedding = nn.Embedding(CHAT_VOCAB, CHAT_HIDDEN)
    encoder = EncoderRNN(CHAT_HIDDEN, embedding, CHAT_LAYERS, dropout=0.0)
    decoder = LuongAttnDecoderRNN("dot", embedding, CHAT_HIDDEN, CHAT_VOCAB, CHAT_LAYERS, 0.0)
    _load(torch, embedding, data, "embedding.")
    _load(torch, encoder.gru, data, "encoder.gru.")
    decoder.gru.load_state_dict(
        {
            k[len("decoder.gru.") :]: torch.from_numpy(v.copy())
            for k, v in data.items()
            if k.startswith("decoder.gru.")
        }
    )
    _load(torch, decoder.concat, data, "decoder.concat.")
    _load(torch, decoder.out, data, "decoder.out.")
    encoder.train()
    decoder.train()
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.001)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.001 * 5.0)
    clip = 50.0

    losses = []
    for iteration in range(3):
        # Zero gradients
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        loss = 0
        print_losses = []
        n_totals = 0

        # Forward pass through encoder
        encoder_outputs, encoder_hidden = encoder(inp, lengths)
        # Create initial decoder input (start with SOS tokens for each sentence)
        decoder_input = torch.LongTensor([[SOS_token for _ in range(batch_size)]])
        # Set initial decoder hidden state to the encoder's final hidden state
        decoder_hidden = encoder_hidden[: decoder.n_layers]

        # Teacher forcing: next input is current target (teacher_forcing_ratio = 1.0)
        for t in range(max_target_len):
            decoder_output, decoder_hidden = decoder(decoder_input, decoder_hidden, encoder_outputs)
            decoder_input = target_variable[t].view(1, -1)
            # Calculate and accumulate loss
            mask_loss, nTotal = maskNLLLoss(decoder_output, target_variable[t], mask[t])
            loss += mask_loss
            print_losses.append(mask_loss.item() * nTotal)
            n_totals += nTotal

        # Perform backpropagation
        loss.backward()

        # Clip gradients: gradients are modified in place
        _ = nn.utils.clip_grad_norm_(encoder.parameters(), clip)
        _ = nn.utils.clip_grad_norm_(decoder.parameters(), clip)

        # Adjust model weights
        encoder_optimizer.step()
        decoder_optimizer.step()
        losses.append(sum(print_losses) / n_totals)
    out["losses"] = losses
    out["encoder_outputs"] = encoder_outputs
    out["encoder_hidden"] = encoder_hidden
    out["embedding.weight"] = embedding.weight
    out["encoder.gru.weight_ih_l1_reverse"] = encoder.gru.weight_ih_l1_reverse
    out["decoder.out.weight"] = decoder.out.weight
    return out
