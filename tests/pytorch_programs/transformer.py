"""Programs with attention layers: PyTorch's tutorial "Language Modeling with nn.Transformer and
torchtext" (``TransformerModel``: ``nn.Embedding``, a ``PositionalEncoding`` module with a
registered buffer, ``nn.TransformerEncoderLayer``/``nn.TransformerEncoder`` under
``nn.Transformer.generate_square_subsequent_mask``, an ``nn.Linear`` decoder;
``nn.CrossEntropyLoss``, ``optim.SGD``, ``clip_grad_norm_`` and ``lr_scheduler.StepLR``).

The tutorial trains on WikiText-2 read by torchtext; here the token stream is random ids of a
20-word vocabulary, and the model is small (d_model 16, 2 heads, 2 layers, bptt 8, batch 4).
Its initial weights are drawn by torch; here they come from ``data`` (built with NumPy) so
that both libraries start from the same numbers. Dropout is 0.0 (the tutorial's 0.2 draws
different masks in the two libraries). Everything else is the tutorial's code.
"""

# ruff: noqa: E501, RET504  (the tutorial's code, kept as it writes it)

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]

NTOKENS = 20
EMSIZE = 16
D_HID = 32
NLAYERS = 2
NHEAD = 2
BPTT = 8
BATCH_SIZE = 4


def _xavier(g: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    bound = math.sqrt(6.0 / (shape[0] + shape[1]))
    return g.uniform(-bound, bound, shape).astype(np.float32)


def _uniform(g: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    bound = 1 / math.sqrt(fan_in)
    return g.uniform(-bound, bound, shape).astype(np.float32)


def _transformer_data() -> Data:
    g = rng(53)
    out: Data = {}
    for i in range(NLAYERS):
        p = f"model.transformer_encoder.layers.{i}."
        out[p + "self_attn.in_proj_weight"] = _xavier(g, (3 * EMSIZE, EMSIZE))
        out[p + "self_attn.in_proj_bias"] = np.zeros(3 * EMSIZE, np.float32)
        out[p + "self_attn.out_proj.weight"] = _uniform(g, (EMSIZE, EMSIZE), EMSIZE)
        out[p + "self_attn.out_proj.bias"] = np.zeros(EMSIZE, np.float32)
        out[p + "linear1.weight"] = _uniform(g, (D_HID, EMSIZE), EMSIZE)
        out[p + "linear1.bias"] = _uniform(g, (D_HID,), EMSIZE)
        out[p + "linear2.weight"] = _uniform(g, (EMSIZE, D_HID), D_HID)
        out[p + "linear2.bias"] = _uniform(g, (EMSIZE,), D_HID)
        for n in ("norm1", "norm2"):
            out[p + n + ".weight"] = np.ones(EMSIZE, np.float32)
            out[p + n + ".bias"] = np.zeros(EMSIZE, np.float32)
    # init_weights(): embedding and decoder weights from U(-0.1, 0.1), the decoder's bias zero
    out["model.embedding.weight"] = g.uniform(-0.1, 0.1, (NTOKENS, EMSIZE)).astype(np.float32)
    out["model.linear.weight"] = g.uniform(-0.1, 0.1, (NTOKENS, EMSIZE)).astype(np.float32)
    out["model.linear.bias"] = np.zeros(NTOKENS, np.float32)
    out["train_tokens"] = g.integers(0, NTOKENS, 3 * BPTT * BATCH_SIZE + BATCH_SIZE)
    out["val_tokens"] = g.integers(0, NTOKENS, BPTT * 2 + 2)
    return out


def _load_weights(torch: Any, model: Any, data: Data) -> None:
    """The initial weights in ``data`` (keys "model." + name); the buffer ``pe`` is the model's."""
    state = model.state_dict()
    for k, v in data.items():
        if k.startswith("model."):
            state[k[len("model.") :]] = torch.from_numpy(v.copy())
    model.load_state_dict(state)


@program(
    "tutorial: Language Modeling with nn.Transformer (TransformerModel, PositionalEncoding)",
    data=_transformer_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_transformer_lm(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    TransformerEncoder = torch.nn.TransformerEncoder
    TransformerEncoderLayer = torch.nn.TransformerEncoderLayer
    Tensor = torch.Tensor
    out: dict[str, Any] = {}

    class TransformerModel(nn.Module):
        def __init__(
            self,
            ntoken: int,
            d_model: int,
            nhead: int,
            d_hid: int,
            nlayers: int,
            dropout: float = 0.5,
        ):
            super().__init__()
            self.model_type = "Transformer"
            self.pos_encoder = PositionalEncoding(d_model, dropout)
            encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
            self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
            self.embedding = nn.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = nn.Linear(d_model, ntoken)

            self.init_weights()

        def init_weights(self) -> None:
            initrange = 0.1
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.linear.bias.data.zero_()
            self.linear.weight.data.uniform_(-initrange, initrange)

        def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
            """
            Arguments:
                src: Tensor, shape ``[seq_len, batch_size]``
                src_mask: Tensor, shape ``[seq_len, seq_len]``

            Returns:
                output Tensor of shape ``[seq_len, batch_size, ntoken]``
            """
            src = self.embedding(src) * math.sqrt(self.d_model)
            src = self.pos_encoder(src)
            if src_mask is None:
                """Generate a square causal mask for the sequence. The masked positions are filled with float('-inf').
                Unmasked positions are filled with float(0.0).
                """
                src_mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(device)
            output = self.transformer_encoder(src, src_mask)
            output = self.linear(output)
            return output

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)

            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe)

        def forward(self, x: Tensor) -> Tensor:
            """
            Arguments:
                x: Tensor, shape ``[seq_len, batch_size, embedding_dim]``
            """
            x = x + self.pe[: x.size(0)]
            return self.dropout(x)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    # (the tutorial's WikiText-2 token ids, read by torchtext; here random ids)
    train_data = torch.from_numpy(data["train_tokens"].copy())
    val_data = torch.from_numpy(data["val_tokens"].copy())

    def batchify(data: Tensor, bsz: int) -> Tensor:
        """Divides the data into ``bsz`` separate sequences, removing extra elements
        that wouldn't cleanly fit.

        Arguments:
            data: Tensor, shape ``[N]``
            bsz: int, batch size

        Returns:
            Tensor of shape ``[N // bsz, bsz]``
        """
        seq_len = data.size(0) // bsz
        data = data[: seq_len * bsz]
        data = data.view(bsz, seq_len).t().contiguous()
        return data.to(device)

    batch_size = BATCH_SIZE
    eval_batch_size = 2
    train_data = batchify(train_data, batch_size)  # shape ``[seq_len, batch_size]``
    val_data = batchify(val_data, eval_batch_size)

    bptt = BPTT

    def get_batch(source: Tensor, i: int) -> tuple[Tensor, Tensor]:
        """
        Args:
            source: Tensor, shape ``[full_seq_len, batch_size]``
            i: int

        Returns:
            tuple (data, target), where data has shape ``[seq_len, batch_size]`` and
            target has shape ``[seq_len * batch_size]``
        """
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i : i + seq_len]
        target = source[i + 1 : i + 1 + seq_len].reshape(-1)
        return data, target

    ntokens = NTOKENS  # size of vocabulary
    emsize = EMSIZE  # embedding dimension
    d_hid = D_HID  # dimension of the feedforward network model in ``nn.TransformerEncoder``
    nlayers = NLAYERS  # number of ``nn.TransformerEncoderLayer`` in ``nn.TransformerEncoder``
    nhead = NHEAD  # number of heads in ``nn.MultiheadAttention``
    dropout = 0.0  # dropout probability (the tutorial's 0.2: masks differ between libraries)
    model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout).to(device)
    _load_weights(torch, model, data)
    out["state_dict keys"] = list(model.state_dict())
    out["pe[:3]"] = model.pos_encoder.pe[:3]

    criterion = nn.CrossEntropyLoss()
    lr = 5.0  # learning rate
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)

    losses = []

    def train(model: nn.Module) -> None:
        model.train()  # turn on train mode
        total_loss = 0.0
        log_interval = 2

        num_batches = len(train_data) // bptt
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            loss = criterion(output_flat, targets)

            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()

            total_loss += loss.item()
            losses.append(loss.item())
            if batch % log_interval == 0 and batch > 0:
                lr = scheduler.get_last_lr()[0]
                cur_loss = total_loss / log_interval
                ppl = math.exp(cur_loss)
                print(
                    f"| epoch {epoch:3d} | {batch:5d}/{num_batches:5d} batches | "
                    f"lr {lr:02.2f} | loss {cur_loss:5.2f} | ppl {ppl:8.2f}"
                )
                total_loss = 0

    def evaluate(model: nn.Module, eval_data: Tensor) -> float:
        model.eval()  # turn on evaluation mode
        total_loss = 0.0
        with torch.no_grad():
            for i in range(0, eval_data.size(0) - 1, bptt):
                data, targets = get_batch(eval_data, i)
                seq_len = data.size(0)
                output = model(data)
                output_flat = output.view(-1, ntokens)
                total_loss += seq_len * criterion(output_flat, targets).item()
        return total_loss / (len(eval_data) - 1)

    val_losses = []
    epochs = 2
    for epoch in range(1, epochs + 1):
        train(model)
        val_loss = evaluate(model, val_data)
        val_ppl = math.exp(val_loss)
        print("-" * 89)
        print(f"| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {val_ppl:8.2f}")
        print("-" * 89)
        val_losses.append(val_loss)
        scheduler.step()

    out["losses"] = losses
    out["val_losses"] = val_losses
    out["last lr"] = scheduler.get_last_lr()
    out["linear.weight"] = model.linear.weight
    out["in_proj_weight"] = model.transformer_encoder.layers[1].self_attn.in_proj_weight
    return out
