// The performance model of the CUDA backend (docs/gpu.md, "Performance model"): from what a
// step of a team model costs — its work, the barriers and reductions the team census counts,
// the registers and shared memory of its kernel — and public H100 figures, the predicted
// trajectory-steps per second of a launch shape at each block size. Every figure it gives is
// an estimate. It reproduces the three measured H100 runs of the code before the census within
// 2x (tests/test_perf_model.cpp holds them); the block-size rule (launch_rule.hpp) and
// `--backend auto` follow it. Host code.
#pragma once

#include <cstdint>
#include <string>

namespace relusim {

/// Public figures of the GPU (H100 SXM by default) and the latencies the model assumes, in
/// cycles (microbenchmark figures of the Hopper generation; docs/gpu.md lists them).
struct GpuFigures {
  std::string name = "H100 SXM (public figures)";
  int sms = 132;
  double clock_hz = 1.755e9;  ///< sustained under load (boost 1.98e9)
  int max_blocks_per_sm = 32;
  int max_threads_per_sm = 2048;
  int registers_per_sm = 65536;
  std::int64_t shared_bytes_per_sm = 227 * 1024;
  double hbm_bytes_per_s = 3.35e12;
  double dram_latency_s = 600e-9;
  int issue_per_cycle = 4;  ///< warp instructions per SM per cycle
  double fma_latency_f32 = 4, fma_latency_f64 = 8, shared_latency = 30;
  double shuffle_round = 28;  ///< one butterfly round: shuffle and add
  double block_barrier = 20;  ///< __syncthreads with the block arrived
  double warp_barrier = 5;    ///< __syncwarp
  double step_latency = 150;  ///< the classification and the loop, per step
  double step_instructions = 150;
};

/// What one trajectory-step of a launch shape costs on a block (a model's step_cost).
struct StepCost {
  double split_fmas = 0;  ///< multiply-adds the team splits over its workers
  int split_width = 1;    ///< workers that work can use (rows, coordinates, tasks)
  double serial_ops = 0;  ///< operations on the busiest worker outside the split (angles...)
  double barriers = 0;    ///< per step on this block (the team census's figure)
  double reductions = 0;  ///< per step
  double values_per_reduction = 1;
  bool fp64 = true;
  int registers = 80;             ///< per thread (the kernel's register cap)
  std::int64_t shared_bytes = 0;  ///< the workspace in shared memory (0: in global memory)
  double global_bytes = 0;        ///< bytes per step from global memory (workspace off-chip)
  bool block_reduce_two_barriers = false;  ///< the code before the census (CUB + broadcast)
};

/// Where a workspace of `bytes` lives for the model: shared memory up to an SM's 227 KiB (the
/// opt-in limit), else global memory, read at `global_bytes_per_step`.
inline void place_workspace(StepCost& c, std::int64_t bytes, double global_bytes_per_step) {
  if (bytes <= 227 * 1024) {
    c.shared_bytes = bytes;
  } else {
    c.global_bytes = global_bytes_per_step;
  }
}

struct StepEstimate {
  double rate = 0;            ///< trajectory-steps per second of the whole GPU
  double latency_cycles = 0;  ///< one step of one block
  double instructions = 0;    ///< per worker per step
  int blocks_per_sm = 0;
  std::string bound;  ///< "latency", "issue" or "memory"
};

/// The step of `cost` on blocks of `block` threads, `trajectories` of them in flight.
StepEstimate estimate_step(const StepCost& cost, int block, std::int64_t trajectories,
                           const GpuFigures& gpu = {});

/// End to end: `steps` trajectory-steps in `groups` launch groups of `trajectories` in all,
/// the slowest trajectory of each group taking `max_steps`; `first_use` adds the process's
/// first CUDA and cuBLAS use.
struct RunShape {
  double steps = 0;
  std::int64_t trajectories = 0;
  int groups = 1;
  double max_steps = 0;
  bool first_use = false;
};
double estimate_seconds(const StepEstimate& e, const RunShape& run, const GpuFigures& gpu = {});

/// Fixed costs of the model (docs/gpu.md): read off the measured runs, not public figures.
inline constexpr double kFirstUseSeconds = 0.08;    ///< CUDA context, cuBLAS, modules
inline constexpr double kGroupSeconds = 5e-3;       ///< a group's allocations and targets
inline constexpr double kTrajectorySeconds = 1e-6;  ///< design, targets, records per trajectory

/// The CPU backend's estimate, for `--backend auto`: `threads` cores at an assumed effective
/// 16 GFLOP/s each (two flops per multiply-add) plus 20 ns per trajectory-step of overhead.
double estimate_cpu_seconds(const StepCost& cost, double steps, int threads);

}  // namespace relusim
