import torch

# The tests' models are tiny: threads add nothing but synchronisation, and on a machine whose cores are busy with
# other work, spin-waiting threads make each small step tens of times slower.
torch.set_num_threads(1)
