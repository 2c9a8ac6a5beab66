"""Generative adversarial networks: PyTorch's "DCGAN Tutorial" (a generator of
``nn.ConvTranspose2d``, ``nn.BatchNorm2d``, ``nn.ReLU`` and ``nn.Tanh``, a discriminator of
``nn.Conv2d``, ``nn.LeakyReLU(inplace=True)`` and ``nn.Sigmoid``, ``weights_init`` applied with
``net.apply``, ``nn.BCELoss``, two ``optim.Adam``, and its training loop).

The tutorial's architecture and code are kept (64 x 64 images, five layers each way); its sizes
are cut (``nz = ngf = ndf = 8``, batches of 8, three iterations of one epoch) so that a run takes
seconds. Changes, each for a reason a comment gives: CelebA is replaced by random images in
[-1, 1] (what the tutorial's ``Normalize`` gives) in a ``TensorDataset``, loaded in order and
without worker processes; the weights that ``weights_init`` draws and the noise that
``torch.randn`` draws (whose shapes and moments are compared) are then replaced by the same
NumPy numbers in both libraries; the images are not plotted (no ``vutils.make_grid``).
"""

# ruff: noqa: ERA001, UP008, UP031  (the tutorial's code, kept as it writes it)

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]

NZ = 8
IMAGES = 24
BATCH = 8


def _dcgan_data() -> Data:
    g = rng(51)
    return {
        "images": g.uniform(-1.0, 1.0, (IMAGES, 3, 64, 64)).astype(np.float32),
        "noise": g.standard_normal((IMAGES // BATCH, BATCH, NZ, 1, 1)).astype(np.float32),
        "fixed_noise": g.standard_normal((16, NZ, 1, 1)).astype(np.float32),
    }


def _weights_init_state(torch: Any, net: Any, seed: int) -> dict[str, Any]:
    """``weights_init``'s distributions (conv weights from N(0, 0.02), batch-norm weights from
    N(1, 0.02), biases 0) drawn by NumPy: the same numbers in both libraries."""
    g = rng(seed)
    state = {}
    for k, v in net.state_dict().items():
        if k.endswith("weight"):
            mean = 0.0 if v.ndim == 4 else 1.0
            state[k] = torch.from_numpy(g.normal(mean, 0.02, tuple(v.shape)).astype(np.float32))
        else:
            state[k] = v
    return state


@program(
    "tutorial: DCGAN Tutorial (generator and discriminator trained adversarially)",
    data=_dcgan_data,
    rtol=1e-4,
    atol=2e-6,
)
def tut_dcgan(torch: Any, arrays: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    optim = torch.optim
    out: dict[str, Any] = {}

    # Set random seed for reproducibility
    manualSeed = 999
    # manualSeed = random.randint(1, 10000) # use if you want new results
    print("Random Seed: ", manualSeed)
    random.seed(manualSeed)
    torch.manual_seed(manualSeed)
    torch.use_deterministic_algorithms(True)  # Needed for reproducible results

    # Number of workers for dataloader
    workers = 0  # (the tutorial's 2: no worker processes in a test)

    # Batch size during training
    batch_size = BATCH  # (the tutorial's 128)

    # Spatial size of training images. All images will be resized to this
    #   size using a transformer.
    image_size = 64

    # Number of channels in the training images. For color images this is 3
    nc = 3

    # Size of z latent vector (i.e. size of generator input)
    nz = NZ  # (the tutorial's 100)

    # Size of feature maps in generator
    ngf = 8  # (the tutorial's 64)

    # Size of feature maps in discriminator
    ndf = 8  # (the tutorial's 64)

    # Number of training epochs
    num_epochs = 1  # (the tutorial's 5)

    # Learning rate for optimizers
    lr = 0.0002

    # Beta1 hyperparameter for Adam optimizers
    beta1 = 0.5

    # Number of GPUs available. Use 0 for CPU mode.
    ngpu = 1

    # We can use an image folder dataset the way we have it setup.
    # (CelebA replaced by random images in [-1, 1], the range the tutorial's Normalize gives,
    # each with class 0 as ImageFolder's single folder gives)
    dataset = torch.utils.data.TensorDataset(
        torch.from_numpy(arrays["images"]), torch.zeros(IMAGES, dtype=torch.long)
    )
    assert dataset[0][0].shape == (nc, image_size, image_size)
    # Create the dataloader (in order: shuffled orders come from each library's generator)
    dataloader = torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=False, num_workers=workers
    )

    # Decide which device we want to run on
    device = torch.device("cuda:0" if (torch.cuda.is_available() and ngpu > 0) else "cpu")

    # custom weights initialization called on ``netG`` and ``netD``
    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)

    # Generator Code

    class Generator(nn.Module):
        def __init__(self, ngpu):
            super(Generator, self).__init__()
            self.ngpu = ngpu
            self.main = nn.Sequential(
                # input is Z, going into a convolution
                nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
                nn.BatchNorm2d(ngf * 8),
                nn.ReLU(True),
                # state size. ``(ngf*8) x 4 x 4``
                nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf * 4),
                nn.ReLU(True),
                # state size. ``(ngf*4) x 8 x 8``
                nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf * 2),
                nn.ReLU(True),
                # state size. ``(ngf*2) x 16 x 16``
                nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf),
                nn.ReLU(True),
                # state size. ``(ngf) x 32 x 32``
                nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
                nn.Tanh(),
                # state size. ``(nc) x 64 x 64``
            )

        def forward(self, input):
            return self.main(input)

    # Create the generator
    netG = Generator(ngpu).to(device)

    # Handle multi-GPU if desired
    if (device.type == "cuda") and (ngpu > 1):
        netG = nn.DataParallel(netG, list(range(ngpu)))

    # Apply the ``weights_init`` function to randomly initialize all weights
    #  to ``mean=0``, ``stdev=0.02``.
    netG.apply(weights_init)

    # Print the model
    print(netG)
    out["netG"] = str(netG)
    out["netG init"] = [
        round(netG.main[0].weight.std().item(), 2),
        round(netG.main[1].weight.mean().item(), 1),
        netG.main[1].bias.abs().max().item(),
    ]

    class Discriminator(nn.Module):
        def __init__(self, ngpu):
            super(Discriminator, self).__init__()
            self.ngpu = ngpu
            self.main = nn.Sequential(
                # input is ``(nc) x 64 x 64``
                nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. ``(ndf) x 32 x 32``
                nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 2),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. ``(ndf*2) x 16 x 16``
                nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 4),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. ``(ndf*4) x 8 x 8``
                nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 8),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. ``(ndf*8) x 4 x 4``
                nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
                nn.Sigmoid(),
            )

        def forward(self, input):
            return self.main(input)

    # Create the Discriminator
    netD = Discriminator(ngpu).to(device)

    # Handle multi-GPU if desired
    if (device.type == "cuda") and (ngpu > 1):
        netD = nn.DataParallel(netD, list(range(ngpu)))

    # Apply the ``weights_init`` function to randomly initialize all weights
    # like this: ``to mean=0, stdev=0.2``.
    netD.apply(weights_init)

    # Print the model
    print(netD)
    out["netD"] = str(netD)

    # (the weights weights_init drew, replaced by the same NumPy numbers in both libraries)
    netG.load_state_dict(_weights_init_state(torch, netG, 52))
    netD.load_state_dict(_weights_init_state(torch, netD, 53))

    # Initialize the ``BCELoss`` function
    criterion = nn.BCELoss()

    # Create batch of latent vectors that we will use to visualize
    #  the progression of the generator
    fixed_noise = torch.randn(16, nz, 1, 1, device=device)  # (the tutorial's 64 of them)
    out["fixed_noise drawn"] = tuple(fixed_noise.shape)
    fixed_noise = torch.from_numpy(arrays["fixed_noise"])  # (the same numbers in both)

    # Establish convention for real and fake labels during training
    real_label = 1.0
    fake_label = 0.0

    # Setup Adam optimizers for both G and D
    optimizerD = optim.Adam(netD.parameters(), lr=lr, betas=(beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=lr, betas=(beta1, 0.999))

    # Training Loop

    # Lists to keep track of progress
    img_list = []
    G_losses = []
    D_losses = []
    iters = 0
    stats = []

    print("Starting Training Loop...")
    # For each epoch
    for epoch in range(num_epochs):
        # For each batch in the dataloader
        for i, data in enumerate(dataloader, 0):
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            ## Train with all-real batch
            netD.zero_grad()
            # Format batch
            real_cpu = data[0].to(device)
            b_size = real_cpu.size(0)
            label = torch.full((b_size,), real_label, dtype=torch.float, device=device)
            # Forward pass real batch through D
            output = netD(real_cpu).view(-1)
            # Calculate loss on all-real batch
            errD_real = criterion(output, label)
            # Calculate gradients for D in backward pass
            errD_real.backward()
            D_x = output.mean().item()

            ## Train with all-fake batch
            # Generate batch of latent vectors
            noise = torch.randn(b_size, nz, 1, 1, device=device)
            noise = torch.from_numpy(arrays["noise"][iters])  # (the same numbers in both)
            # Generate fake image batch with G
            fake = netG(noise)
            label.fill_(fake_label)
            # Classify all fake batch with D
            output = netD(fake.detach()).view(-1)
            # Calculate D's loss on the all-fake batch
            errD_fake = criterion(output, label)
            # Calculate the gradients for this batch, accumulated (summed) with previous gradients
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            # Compute error of D as sum over the fake and the real batches
            errD = errD_real + errD_fake
            # Update D
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            # Since we just updated D, perform another forward pass of all-fake batch through D
            output = netD(fake).view(-1)
            # Calculate G's loss based on this output
            errG = criterion(output, label)
            # Calculate gradients for G
            errG.backward()
            D_G_z2 = output.mean().item()
            # Update G
            optimizerG.step()

            # Output training stats
            if i % 50 == 0:
                print(
                    "[%d/%d][%d/%d]\tLoss_D: %.4f\tLoss_G: %.4f\tD(x): %.4f\tD(G(z)): %.4f / %.4f"
                    % (
                        epoch,
                        num_epochs,
                        i,
                        len(dataloader),
                        errD.item(),
                        errG.item(),
                        D_x,
                        D_G_z1,
                        D_G_z2,
                    )
                )

            # Save Losses for plotting later
            G_losses.append(errG.item())
            D_losses.append(errD.item())
            stats.append([D_x, D_G_z1, D_G_z2])

            # Check how the generator is doing by saving G's output on fixed_noise
            if (iters % 500 == 0) or ((epoch == num_epochs - 1) and (i == len(dataloader) - 1)):
                with torch.no_grad():
                    fake = netG(fixed_noise).detach().cpu()
                img_list.append(fake)  # (the tutorial's vutils.make_grid(fake, ...) left out)

            iters += 1

    out["G_losses"] = G_losses
    out["D_losses"] = D_losses
    out["D(x), D(G(z))"] = stats
    out["images"] = len(img_list)
    out["first fakes"] = img_list[0][:2]
    out["last fakes"] = img_list[-1][:2]
    out["netG.main[0].weight"] = netG.main[0].weight
    out["netD.main[-2].weight"] = netD.main[-2].weight
    out["netG.main[1].running_var"] = netG.main[1].running_var
    return out
