# crafted_headers.py — small weight files whose headers declare more than they hold, for
# FileHeaderLimitsTests (run as `python3 crafted_headers.py FOLDER`; needs h5py and numpy):
#   unstored.weights.h5  one dataset of 2^28 float32 declared and none stored (1 GiB from a few KB)
#   packed.weights.h5    3,000,000 gzip-compressed zeros (12 MB of floats from a few KB)
#   packed.keras         a zip whose model.weights.h5 member inflates to 12 MB
import os
import sys
import zipfile

import h5py
import numpy as np

out = sys.argv[1]
with h5py.File(f"{out}/unstored.weights.h5", "w") as f:
    f.create_dataset("layers/dense/vars/0", shape=(2 ** 28,), dtype="f4")
with h5py.File(f"{out}/packed.weights.h5", "w") as f:
    f.create_dataset("layers/dense/vars/0", data=np.zeros(3_000_000, "f4"), compression="gzip", chunks=(100_000,))
with h5py.File(f"{out}/plain.weights.h5", "w") as f:
    f.create_dataset("layers/dense/vars/0", data=np.zeros(3_000_000, "f4"))
with zipfile.ZipFile(f"{out}/packed.keras", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(f"{out}/plain.weights.h5", "model.weights.h5")
os.remove(f"{out}/plain.weights.h5")
