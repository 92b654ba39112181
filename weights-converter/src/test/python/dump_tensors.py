"""Loads a torch.save file with torch.load and writes its tensors as a manifest (see tensor_manifest.py).
Arguments: file, output directory, and optionally the checkpoint entry holding the state dict."""
import sys

import torch

import tensor_manifest

state = torch.load(sys.argv[1], map_location="cpu")
if len(sys.argv) > 3:
    state = state[sys.argv[3]]
tensor_manifest.write(state, sys.argv[2])
