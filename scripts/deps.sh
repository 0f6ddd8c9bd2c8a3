#!/usr/bin/env bash
# deps.sh — installs the Debian packages SeqLang needs, only those that are missing.
# Sourced by demo.sh and test.sh; safe to run again.
set -euo pipefail

need=()
for pkg in libopenblas-dev libreadline-dev zlib1g-dev libhdf5-dev libzip-dev openmpi-bin libopenmpi-dev iproute2 pkg-config tmux strace neovim python3-numpy; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # numpy from pip counts too (the numpy reference test only needs `import numpy`).
    if [ "$pkg" = python3-numpy ] && python3 -c 'import numpy' 2>/dev/null; then continue; fi
    need+=("$pkg")
  fi
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# h5py writes the Keras-layout test files (Tests/InterpreterTests/Reference/interchange_reference.py).
if ! python3 -c 'import h5py' 2>/dev/null; then
  echo "Installing h5py from PyPI"
  python3 -m pip install -q h5py
fi

# onnx and onnxruntime check and run the ONNX graphs of ONNXTests (Tests/InterpreterTests/Reference/onnx_reference.py).
for module in onnx onnxruntime; do
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "Installing $module from PyPI"
    python3 -m pip install -q "$module"
  fi
done
