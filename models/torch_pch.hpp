// The libtorch headers precompiled for the workload's targets: a build-speed aid only
// (each libtorch translation unit drops from ~25 s to ~8 s of compiler time here).
// Every file still includes what it uses.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/optim/adam.h>
