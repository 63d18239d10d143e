// The processes of one job: this process alone, or the ranks of MPI_COMM_WORLD when relusim is
// built with MPI and started by mpirun (docs/scale-out.md). Only this file's implementation
// (src/engine/world.cpp) names MPI.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "relusim/engine/driver.hpp"

namespace relusim::world {

/// Whether an MPI launcher (mpirun, mpiexec, srun with a PMI plugin) started this process, read
/// from the variables it sets; RELUSIM_MPI=1 says yes and RELUSIM_MPI=0 no, whatever they say.
bool started_by_mpi_launcher();
/// Starts MPI when the build has it and a launcher started this process (MPI_THREAD_FUNNELED:
/// only the main thread calls MPI). Otherwise the process is the only rank and MPI stays
/// uninitialised: MPI_Init_thread costs most of a second, which a single command or a Python
/// session must not pay (the Python module never calls it).
void init(int* argc, char*** argv);
/// Whether init started MPI.
bool mpi_started();
/// Ends MPI (after every rank's last message); harmless without MPI.
void finalize();
/// Ends every rank of the job with `code` (MPI_Abort); exits this process without MPI.
[[noreturn]] void abort(int code);

bool built_with_mpi();
int rank();
int size();
int local_rank();  ///< rank among the processes of this node
int local_size();

/// The number of processes an MPI launcher (mpirun, srun) started, read from its environment,
/// when this build has no MPI; 0 otherwise. Such a launch would run the whole sweep P times.
int launched_without_mpi();

/// Rank 0's `bytes` on every rank.
void broadcast(std::string& bytes);

/// Runs the plan's batches `todo` (ascending) over the ranks: rank r runs the entries at
/// positions i with i mod size == r (part_of). Every result reaches `sink` on rank 0, on the
/// calling thread, in completion order; rank 0 runs its own share on a second thread so results
/// from other ranks are taken (journalled, counted) while it computes. `stop` is asked on rank
/// 0 between results and, when it says yes, every rank ends after the launch group in flight;
/// the other ranks also stop on `stop`'s own answer (a signal they caught). `on_worker` runs first
/// on the thread that drives the backend (to bind a GPU). Returns true on rank 0 when every
/// batch ran, on other ranks when their share ran. `keep_weights` (final weights) needs one rank. A
/// failure on any rank is rethrown on rank 0 as BackendError naming the rank, after every rank has
/// stopped.
bool run_over_ranks(const SweepPlan& plan, const std::vector<std::size_t>& todo, Backend& backend,
                    bool keep_records, bool keep_weights, const BatchSink& sink,
                    const std::function<bool()>& stop, const std::function<void()>& on_worker = {});

}  // namespace relusim::world
