// main.swift — seqbench: release-mode benchmark of the five reference configurations.
import Tensor
print(BLAS.threads)
