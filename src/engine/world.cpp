#include "relusim/engine/world.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "relusim/engine/batch_codec.hpp"

#ifdef RELUSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace relusim::world {
namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return end != v && *end == '\0' && n > 0 && n < (1L << 30) ? static_cast<int>(n) : 0;
}

int g_rank = 0;
int g_size = 1;
int g_local_rank = 0;
int g_local_size = 1;

#ifdef RELUSIM_HAVE_MPI
bool g_mpi_started = false;

// Message tags between rank 0 and the others.
constexpr int kTagResult = 1;  // rank r -> 0: one encoded batch
constexpr int kTagDone = 2;    // rank r -> 0: its share ran (or stopped); no more results
constexpr int kTagError = 3;   // rank r -> 0: its share failed (the message), no more results
constexpr int kTagStop = 4;    // 0 -> rank r: stop after the group in flight
constexpr int kTagFinish = 5;  // 0 -> rank r: every rank is done; leave

void send_bytes(const std::string& bytes, int dest, int tag) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

std::string recv_bytes(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_BYTE, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return bytes;
}

/// Rank 0: its own share on a worker thread; results from everyone on this thread.
bool coordinate(const SweepPlan& plan, const std::vector<std::size_t>& mine, Backend& backend,
                bool keep_records, const BatchSink& sink, const std::function<bool()>& stop,
                const std::function<void()>& on_worker) {
  std::mutex m;
  std::deque<std::pair<std::size_t, BatchResult>> local;
  std::atomic<bool> stop_all{false};
  std::atomic<bool> local_finished{false};
  std::exception_ptr local_error;
  bool local_complete = false;
  std::thread worker([&] {
    try {
      if (on_worker) on_worker();
      local_complete = run_batches(
          plan, mine, backend, keep_records, false,
          [&](std::size_t b, BatchResult&& r) {
            const std::lock_guard<std::mutex> lock(m);
            local.emplace_back(b, std::move(r));
          },
          [&] { return stop_all.load(); });
    } catch (...) {
      local_error = std::current_exception();
    }
    local_finished = true;
  });
  int running = g_size - 1;  // other ranks that have not said done
  bool all_complete = true;
  std::string error;
  bool stop_sent = false;
  auto request_stop = [&] {
    if (stop_sent) return;
    stop_sent = true;
    stop_all = true;
    for (int r = 1; r < g_size; ++r)
      send_bytes({}, r, kTagStop);
  };
  // A result that cannot be taken (a journal write failed, a message is malformed) stops the job;
  // the loop goes on until every rank has said done, so the worker thread is always joined.
  auto deliver = [&](const auto& take) {
    try {
      take();
    } catch (const std::exception& e) {
      if (error.empty()) error = e.what();
      request_stop();
    }
  };
  for (;;) {
    bool idle = true;
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (flag != 0) {
      idle = false;
      const std::string bytes = recv_bytes(st);
      if (st.MPI_TAG == kTagResult) {
        deliver([&] {
          BatchResult r;
          const std::size_t b = decode_batch(bytes, r);
          sink(b, std::move(r));
        });
      } else if (st.MPI_TAG == kTagDone || st.MPI_TAG == kTagError) {
        --running;
        if (st.MPI_TAG == kTagError) {
          all_complete = false;
          if (error.empty()) error = "rank " + std::to_string(st.MPI_SOURCE) + ": " + bytes;
          request_stop();
        } else if (bytes != "complete") {
          all_complete = false;
        }
      }
    }
    std::deque<std::pair<std::size_t, BatchResult>> ready;
    {
      const std::lock_guard<std::mutex> lock(m);
      ready.swap(local);
    }
    for (auto& [b, r] : ready) {
      idle = false;
      deliver([&] { sink(b, std::move(r)); });
    }
    if (!stop_sent && stop && stop()) request_stop();
    if (local_finished && local_error && error.empty()) {
      try {
        std::rethrow_exception(local_error);
      } catch (const std::exception& e) {
        error = std::string("rank 0: ") + e.what();
      }
      request_stop();
    }
    if (local_finished && running == 0) {
      const std::lock_guard<std::mutex> lock(m);
      if (local.empty()) break;
    }
    if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  worker.join();
  for (int r = 1; r < g_size; ++r)
    send_bytes({}, r, kTagFinish);
  if (!error.empty()) throw BackendError(error);
  return all_complete && local_complete;
}

/// Ranks 1..P-1: their share on this thread, each result sent to rank 0 as it completes.
bool work(const SweepPlan& plan, const std::vector<std::size_t>& mine, Backend& backend,
          bool keep_records, const std::function<bool()>& stop,
          const std::function<void()>& on_worker) {
  bool stopped_by_zero = false;
  auto stop_here = [&] {
    if (stopped_by_zero) return true;
    int flag = 0;
    MPI_Iprobe(0, kTagStop, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (flag != 0) {
      MPI_Recv(nullptr, 0, MPI_BYTE, 0, kTagStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      stopped_by_zero = true;
      return true;
    }
    return stop && stop();
  };
  bool complete = false;
  try {
    if (on_worker) on_worker();
    complete = run_batches(
        plan, mine, backend, keep_records, false,
        [&](std::size_t b, BatchResult&& r) { send_bytes(encode_batch(b, r), 0, kTagResult); },
        stop_here);
    send_bytes(complete ? "complete" : "stopped", 0, kTagDone);
  } catch (const std::exception& e) {
    send_bytes(e.what(), 0, kTagError);
  }
  // Wait for rank 0's word that everyone is done (absorbing a stop that crossed our done).
  for (;;) {
    MPI_Status st;
    MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    recv_bytes(st);
    if (st.MPI_TAG == kTagFinish) break;
  }
  return complete;
}
#endif

}  // namespace

bool built_with_mpi() {
#ifdef RELUSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool started_by_mpi_launcher() {
  const char* force = std::getenv("RELUSIM_MPI");
  if (force != nullptr && *force != '\0') return std::string_view(force) != "0";
  // Set by mpirun/mpiexec (Open MPI, MPICH's Hydra, Intel MPI, MVAPICH) and srun's PMI plugins.
  for (const char* name :
       {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMI_SIZE", "PMI_FD",
        "PMIX_RANK", "PMIX_NAMESPACE", "MPI_LOCALNRANKS", "MV2_COMM_WORLD_RANK"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

void init([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
#ifdef RELUSIM_HAVE_MPI
  // MPI_Init_thread costs most of a second (Open MPI starts its runtime even for one process):
  // a process that no launcher started is one rank, and runs without it.
  if (g_mpi_started || !started_by_mpi_launcher()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  g_mpi_started = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &g_local_rank);
  MPI_Comm_size(node, &g_local_size);
  MPI_Comm_free(&node);
#endif
}

void finalize() {
#ifdef RELUSIM_HAVE_MPI
  if (g_mpi_started) MPI_Finalize();
  g_mpi_started = false;
#endif
}

void abort(int code) {
#ifdef RELUSIM_HAVE_MPI
  if (g_mpi_started) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

bool mpi_started() {
#ifdef RELUSIM_HAVE_MPI
  return g_mpi_started;
#else
  return false;
#endif
}

int rank() {
  return g_rank;
}
int size() {
  return g_size;
}
int local_rank() {
  return g_local_rank;
}
int local_size() {
  return g_local_size;
}

int launched_without_mpi() {
  if (built_with_mpi()) return 0;
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    const int n = env_int(name);
    if (n > 1) return n;
  }
  return 0;
}

void broadcast([[maybe_unused]] std::string& bytes) {
#ifdef RELUSIM_HAVE_MPI
  if (g_size == 1) return;
  unsigned long long n = bytes.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  bytes.resize(static_cast<std::size_t>(n));
  MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_BYTE, 0, MPI_COMM_WORLD);
#endif
}

bool run_over_ranks(const SweepPlan& plan, const std::vector<std::size_t>& todo, Backend& backend,
                    bool keep_records, bool keep_weights, const BatchSink& sink,
                    const std::function<bool()>& stop, const std::function<void()>& on_worker) {
  const std::vector<std::size_t> mine = part_of(todo, {g_rank + 1, g_size});
#ifdef RELUSIM_HAVE_MPI
  if (g_size > 1) {
    return g_rank == 0 ? coordinate(plan, mine, backend, keep_records, sink, stop, on_worker)
                       : work(plan, mine, backend, keep_records, stop, on_worker);
  }
#endif
  if (on_worker) on_worker();
  return run_batches(plan, mine, backend, keep_records, keep_weights, sink, stop);
}

}  // namespace relusim::world
