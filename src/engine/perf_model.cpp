#include "relusim/engine/perf_model.hpp"

#include <algorithm>
#include <cmath>

namespace relusim {

StepEstimate estimate_step(const StepCost& c, int block, std::int64_t trajectories,
                           const GpuFigures& g) {
  const bool warp = block == 32;
  const double warps = block / 32.0;
  // The split work: each worker's share is one dependent chain of multiply-adds fed from shared
  // memory (two phases, each paying one shared-memory latency up front).
  const double share = c.split_fmas / std::max(1, std::min(block, c.split_width));
  const double fma_lat = c.fp64 ? g.fma_latency_f64 : g.fma_latency_f32;
  double latency =
      share * fma_lat + 2 * g.shared_latency + c.serial_ops * (c.fp64 ? 4.0 : 3.0) + g.step_latency;
  // A reduction: a butterfly over the warp (the fused values interleave), then for a block the
  // warps' sums through shared memory behind one barrier. Before the census a reduction was
  // CUB's plus a broadcast: two barriers, one value.
  double reduction_lat, reduction_ins, plain_barriers;
  if (c.block_reduce_two_barriers) {
    reduction_lat = warp ? 210 : 260;
    reduction_ins = 35;
    plain_barriers = c.barriers - 2 * c.reductions;
  } else {
    const double v = c.values_per_reduction;
    reduction_lat =
        5 * g.shuffle_round + 10 * v + (warp ? 0.0 : g.block_barrier + 2 * g.shared_latency);
    reduction_ins = 10 + (c.fp64 ? 15 : 10) * v;
    plain_barriers = c.barriers - c.reductions;
  }
  latency +=
      c.reductions * reduction_lat + plain_barriers * (warp ? g.warp_barrier : g.block_barrier);
  const double instructions = 3 * share + c.serial_ops + g.step_instructions +
                              c.reductions * reduction_ins + 2 * plain_barriers;
  // Resident blocks per SM: the hardware's limits, registers, shared memory, and the
  // trajectories there are to spread over the SMs.
  int resident = std::min(g.max_blocks_per_sm, g.max_threads_per_sm / block);
  resident = std::min(resident, g.registers_per_sm / std::max(1, c.registers * block));
  if (c.shared_bytes > 0)
    resident =
        static_cast<int>(std::min<std::int64_t>(resident, g.shared_bytes_per_sm / c.shared_bytes));
  const std::int64_t per_sm = (trajectories + g.sms - 1) / g.sms;
  resident = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(resident, per_sm)));
  const double sms = static_cast<double>(std::min<std::int64_t>(g.sms, trajectories));
  const double by_latency = resident / latency;
  const double by_issue = g.issue_per_cycle / (warps * instructions);
  StepEstimate e;
  e.latency_cycles = latency;
  e.instructions = instructions;
  e.blocks_per_sm = resident;
  e.rate = sms * g.clock_hz * std::min(by_latency, by_issue);
  e.bound = by_latency < by_issue ? "latency" : "issue";
  if (c.global_bytes > 0) {
    // Off-chip workspace: every resident worker keeps about two 8-byte loads in flight (its
    // row products are dependent chains); Little's law caps the bandwidth below HBM's.
    const double in_flight = sms * resident * block * 16.0;
    const double bandwidth = std::min(g.hbm_bytes_per_s, in_flight / g.dram_latency_s);
    const double by_memory = bandwidth / c.global_bytes;
    if (by_memory < e.rate) {
      e.rate = by_memory;
      e.bound = "memory";
    }
  }
  return e;
}

double estimate_seconds(const StepEstimate& e, const RunShape& run, const GpuFigures& g) {
  double t = run.first_use ? kFirstUseSeconds : 0.0;
  t += run.groups * kGroupSeconds + static_cast<double>(run.trajectories) * kTrajectorySeconds;
  t += run.steps / e.rate;
  // Each group waits for its slowest trajectory, alone on its SM at the end.
  t += run.groups * run.max_steps * e.latency_cycles / g.clock_hz;
  return t;
}

double estimate_cpu_seconds(const StepCost& c, double steps, int threads) {
  const double per_step = 2.0 * (c.split_fmas + c.serial_ops) / 16e9 + 20e-9;
  return steps * per_step / std::max(1, threads);
}

}  // namespace relusim
