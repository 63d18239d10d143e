// Configuration: the sweep file format, grid expansion, and every bad-input case (MODEL.md-free
// behaviour the users rely on): one message naming the key, exit code 2, no complete-looking file.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "relusim/engine/world.hpp"
#include "relusim/io/config.hpp"
#include "relusim/io/report.hpp"
#include "relusim/models/registry.hpp"
#include "test_helpers.hpp"

namespace relusim {
namespace {

using testing::run_cli;

/// The key a ConfigError names, or "<none>" when nothing is thrown.
std::string error_key_of_text(const std::string& toml) {
  try {
    parse_sweep_text(toml, "test.toml");
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "<none>";
}

TEST(Config, AModelsOwnKeysTravelWithTheCellAndAreNeverReadAsAnothers) {
  CellConfig b;
  set_parameter(b, "model", std::string("B"));
  set_parameter(b, "K", std::int64_t{4});
  const CellConfig copy = b;  // a deep copy: changing the original leaves it alone
  b.of<ModelBCell>().K = 7;
  EXPECT_EQ(copy.of<ModelBCell>().K, 4);
  EXPECT_THROW((void)copy.of<ModelCCell>(), std::logic_error);  // B's keys are not C's
  CellConfig fresh;  // holds none yet: reads give the defaults
  EXPECT_EQ(fresh.of<ModelCCell>().slope, ModelCCell{}.slope);
  set_parameter(b, "model", std::string("C"));  // another model: its defaults, B's keys gone
  EXPECT_EQ(b.of<ModelCCell>().slope, ModelCCell{}.slope);
  EXPECT_THROW((void)b.of<ModelBCell>(), std::logic_error);
  EXPECT_THROW(set_parameter(b, "K", std::int64_t{3}), ConfigError);  // not a key of model C
}

TEST(Config, SweepFileZipVariesListsTogether) {
  // [zip]: entry i of every list is point i, the slowest axis; [grid] varies under it.
  const SweepConfig s = parse_sweep_text(R"(
    model = "B"
    mode = "expected"
    criterion = "loss"
    [zip]
    K = [2, 3, 3]
    K_teacher = [2, 2, 3]
    d = [2, 2, 3]
    [grid]
    eta = [0.1, 0.2]
  )",
                                         "z.toml");
  ASSERT_EQ(s.cells.size(), 6u);
  ASSERT_EQ(s.zip.size(), 3u);
  EXPECT_EQ(s.zip[0].first, "K");  // registry order
  EXPECT_EQ(s.zip[1].first, "K_teacher");
  EXPECT_EQ(s.zip[2].first, "d");
  const int want[6][4] = {{2, 2, 2, 1}, {2, 2, 2, 2}, {3, 2, 2, 1},
                          {3, 2, 2, 2}, {3, 3, 3, 1}, {3, 3, 3, 2}};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(s.cells[i].of<ModelBCell>().K, want[i][0]) << i;
    EXPECT_EQ(s.cells[i].of<ModelBCell>().teacher_width(), want[i][1]) << i;
    EXPECT_EQ(s.cells[i].d, want[i][2]) << i;
    EXPECT_DOUBLE_EQ(s.cells[i].eta, 0.1 * want[i][3]) << i;
  }
  // Lists of different lengths, a key in both tables, and an empty list are refused.
  EXPECT_EQ(error_key_of_text("model = \"B\"\n[zip]\nK = [2, 3]\nd = [4]\n"), "zip");
  EXPECT_EQ(error_key_of_text("[zip]\nd = [2, 3]\n[grid]\nd = [4, 5]\n"), "d");
  EXPECT_EQ(error_key_of_text("[zip]\nd = []\n"), "d");
  EXPECT_EQ(error_key_of_text("[zip]\nnot_a_key = [1]\n"), "not_a_key");
  // Points may share values, not all of them: two identical points are one cell twice.
  SweepConfig dup = parse_sweep_text("[zip]\nd = [2, 2]\nN = [10, 10]\n", "dup.toml");
  EXPECT_THROW(refuse_identical_cells(dup.cells), ConfigError);
}

TEST(Config, SweepFileBaseAndGrid) {
  const SweepConfig s = parse_sweep_text(R"(
    d = 3
    lambda = 0.01
    regularizer = "l2"
    teacher = [1.0, 2.0, 2.0]
    trials = 20
    [grid]
    N = [10, 20]
    lambda = [0.001, 0.1]
    convention = ["descent", "as-printed"]
  )",
                                         "t.toml");
  ASSERT_EQ(s.cells.size(), 8u);
  // Axes in registry order (N before lambda before convention), last axis fastest.
  ASSERT_EQ(s.axes.size(), 3u);
  EXPECT_EQ(s.axes[0].first, "N");
  EXPECT_EQ(s.axes[1].first, "lambda");
  EXPECT_EQ(s.axes[2].first, "convention");
  EXPECT_EQ(s.cells[0].n_samples, 10);
  EXPECT_EQ(s.cells[0].of<ModelACell>().convention, Convention::descent);
  EXPECT_EQ(s.cells[1].of<ModelACell>().convention, Convention::as_printed);
  EXPECT_DOUBLE_EQ(s.cells[2].of<ModelACell>().lambda, 0.1);
  EXPECT_EQ(s.cells[7].n_samples, 20);
  for (const auto& c : s.cells) {
    EXPECT_EQ(c.d, 3);
    EXPECT_EQ(c.teacher, TeacherKind::explicit_vector);
    EXPECT_EQ(c.trials, 20);
  }
}

TEST(Config, BadInputNamesTheKey) {
  EXPECT_EQ(error_key_of_text("dd = 3"), "dd");                  // unknown key
  EXPECT_EQ(error_key_of_text("[grid]\nfoo = [1]"), "foo");      // unknown grid key
  EXPECT_EQ(error_key_of_text("[other]\nd = 1"), "other");       // unknown table
  EXPECT_EQ(error_key_of_text("d = \"three\""), "d");            // wrong type
  EXPECT_EQ(error_key_of_text("lambda = \"small\""), "lambda");  // wrong type
  EXPECT_EQ(error_key_of_text("early_stop = 1"), "early_stop");  // wrong type
  EXPECT_EQ(error_key_of_text("mode = \"batch\""), "mode");      // unknown choice
  EXPECT_EQ(error_key_of_text("N = [10, 20]"), "N");             // a list outside [grid]
  EXPECT_EQ(error_key_of_text("d = 0"), "d");                    // d < 1
  EXPECT_EQ(error_key_of_text("N = 0"), "N");                    // N < 1
  EXPECT_EQ(error_key_of_text("eps = 1.0"), "eps");              // eps outside (0, 1)
  EXPECT_EQ(error_key_of_text("eps = 0"), "eps");
  EXPECT_EQ(error_key_of_text("lambda = -0.1"), "lambda");  // lambda < 0
  EXPECT_EQ(error_key_of_text("eta = 0"), "eta");           // eta <= 0
  EXPECT_EQ(error_key_of_text("eta = -1"), "eta");
  EXPECT_EQ(error_key_of_text("N = 10\nB = 11"), "B");  // B > N
  EXPECT_EQ(error_key_of_text("trials = 0"), "trials");
  EXPECT_EQ(error_key_of_text("N = 100000\nd = 60000"), "N");  // the design would not fit
  EXPECT_EQ(error_key_of_text("lambda = inf"), "lambda");
  EXPECT_EQ(error_key_of_text("steps = 0"), "steps");
  EXPECT_EQ(error_key_of_text("tol = 0"), "tol");
  EXPECT_EQ(error_key_of_text("d = 2\nteacher = [1, 2, 3]"), "teacher");  // wrong length
  EXPECT_EQ(error_key_of_text("teacher = [0, 0]"), "teacher");
  EXPECT_EQ(error_key_of_text("mode = \"expected\"\ninputs = \"uniform\""), "inputs");
  EXPECT_EQ(error_key_of_text("mode = \"online\"\ninputs = \"uniform\"\nregularizer = \"l2\"\n"
                              "lambda = 0.1"),
            "inputs");
  EXPECT_EQ(error_key_of_text("mode = \"online\"\ninputs = \"uniform\""), "<none>");
  EXPECT_EQ(error_key_of_text("[grid]\nd = [2, 0]"), "d");  // bad value in the grid
  EXPECT_EQ(error_key_of_text("[grid]\nd = []"), "d");
  EXPECT_EQ(error_key_of_text("seed = -1"), "seed");
  EXPECT_EQ(error_key_of_text("d = 2\n[grid]\nteacher = [[1, 1], [1, 1, 1]]"), "teacher");
  EXPECT_EQ(error_key_of_text("d = 3\nN = 10"), "<none>");
  // A TOML syntax error is reported with the file and line.
  try {
    parse_sweep_text("d = 3\nN = = 4", "bad.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml:2"), std::string::npos) << e.what();
  }
}

TEST(Config, FlagTextParsing) {
  const ParamInfo& d = find_parameter("A", "d");
  EXPECT_EQ(std::get<std::int64_t>(parse_param_text(d, "12")), 12);
  EXPECT_THROW(parse_param_text(d, "12x"), ConfigError);
  const ParamInfo& teacher = find_parameter("A", "teacher");
  EXPECT_EQ(std::get<std::string>(parse_param_text(teacher, "ones")), "ones");
  const auto v = std::get<std::vector<double>>(parse_param_text(teacher, "[1, 2.5]"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_DOUBLE_EQ(v[1], 2.5);
  EXPECT_THROW(parse_param_text(teacher, "1,x"), ConfigError);
  CellConfig c;
  set_parameter(c, "steps", parse_param_text(find_parameter("A", "steps"), "1e5"));
  EXPECT_EQ(c.steps, 100000);
  // A number that is no integer, or too large for one, says which.
  for (const auto& [text, says] :
       {std::pair<const char*, const char*>{"2.5", "expected an integer, got 2.5"},
        {"1e20", "expected an integer below 9e15, got 1e+20"}}) {
    try {
      set_parameter(c, "steps", parse_param_text(find_parameter("A", "steps"), text));
      ADD_FAILURE() << text << ": no error";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
}

TEST(Cli, BackendCudaWithoutADeviceIsAFailureNotBadInput) {
  // In a build or on a machine without a device: one clear error, exit 1 (bad input is
  // Cli.BadInputCatalogue).
  std::string err;
  const int code = run_cli("run --trials 5 --backend cuda", err);
  if (code != 0) {
    EXPECT_EQ(code, 1);
    EXPECT_NE(err.find("--backend cuda"), std::string::npos) << err;
  }
}

TEST(Cli, BadInputCatalogue) {
  // Every malformed input, across the commands: exit code 2, one message naming the key or the
  // file, and no summary file in the output directory. Sweep files are written to a temporary
  // directory first.
  const auto tmp = std::filesystem::temp_directory_path() /
                   ("relusim_test_catalogue_" + std::to_string(::getpid()));
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp / "a-directory.toml");
  const auto out = tmp / "out";
  auto file = [&](const std::string& name, const std::string& text) {
    std::ofstream(tmp / name) << text;
    return (tmp / name).string();
  };
  const std::string fifo = (tmp / "fifo.toml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);  // opening it would block: it must be refused first
  auto seeds = [](int n) {                     // "1, 2, ..., n"
    std::string list;
    for (int i = 1; i <= n; ++i)
      list += (i > 1 ? ", " : "") + std::to_string(i);
    return list;
  };
  struct Case {
    std::string args;
    std::string names;  // what the message must mention
  };
  const std::vector<Case> cases = {
      {"sweep " + (tmp / "a-directory.toml").string(), "directory"},
      {"sweep " + file("empty.toml", ""), "empty"},
      {"sweep " + file("blank.toml", "  \n\n"), "empty"},
      {"sweep " + (tmp / "missing.toml").string(), "does not exist"},
      {"sweep " + file("syntax.toml", "N = [1,"), "syntax.toml"},
      {"sweep " + file("unknown.toml", "foo = 1"), "'foo'"},
      {"sweep " + file("type.toml", "N = \"ten\""), "'N'"},
      {"sweep " + file("list.toml", "N = [10, 20]"), "'N'"},
      {"sweep " + file("grid-scalar.toml", "[grid]\nN = 10"), "'N'"},
      {"sweep " + file("grid-empty.toml", "[grid]\nN = []"), "'N'"},
      {"sweep " + file("grid-repeat.toml", "[grid]\nN = [10, 20,\n 10]"),
       "grid-repeat.toml:3); its two cells would be identical"},
      {"sweep " + file("grid-repeat-vec.toml", "[grid]\nteacher = [[1, 0], [1, 0]]"),
       "'teacher': a [grid] list holds one value twice"},
      {"sweep " + file("table.toml", "[other]\nN = 1"), "'other'"},
      {"sweep " + file("model-axis.toml", "[grid]\nmodel = [\"A\", \"B\"]"), "'model'"},
      {"sweep " + file("wrong-model-key.toml", "K = 3"), "'K'"},
      {"sweep " + file("nested.toml", "teacher = [[[1]]]"), "'teacher'"},
      {"sweep " + file("bad-cell.toml", "[grid]\nN = [10, 2]\nB = [5]"), "'B'"},
      {"sweep " + file("overflow.toml", "teacher = [1e300, 1e300]"), "'teacher'"},
      {"run --d 0", "'d'"},
      {"run --N 0", "'N'"},
      {"run --eps 1.5", "'eps'"},
      {"run --lambda -1", "'lambda'"},
      {"run --eta 0", "'eta'"},
      {"run --N 10 --B 20", "'B'"},
      {"run --d two", "'d'"},
      {"run --mode batch", "'mode'"},
      {"run --unknown 3", "--unknown"},
      {"run --steps 0", "'steps'"},
      {"run --tol -1", "'tol'"},
      {"run --tol inf", "'tol': must be finite"},
      {"run --blowup 0.5", "'blowup'"},
      {"run --seed -1", "'seed'"},
      {"run --precision half", "'precision'"},
      {"run --criterion angle --tol 4", "'tol'"},
      {"run --mode expected --inputs uniform", "'inputs'"},
      {"run --teacher [1,2,3]", "'teacher'"},
      {"run --teacher [0,0]", "'teacher'"},
      {"run --init [1,x]", "'init'"},
      {"run --teacher [1e300,1e300]", "'teacher'"},
      {"run --precision float --teacher random --teacher_norm 1e18", "'teacher'"},
      {"run --K 3", "'K'"},
      {"run --model B --K 0", "'K'"},
      {"run --model B --K 3 --d 2", "'d'"},
      {"run --model B --regularizer l2", "'regularizer'"},
      {"run --model B --top_weights [1,2,3]", "'top_weights'"},
      {"run --model B --init ball-tight", "'init'"},
      {"run --model B --teacher ones", "'teacher'"},
      {"run --model B --noise_level -1", "'noise_level'"},
      {"run --model D", "'model'"},
      {"run --model C --teacher spectrum --teacher_spectral 0.1 --teacher_frobenius 1 --d 10",
       "'teacher'"},
      {"run --model C --d 3 --teacher 1,2,3", "'teacher'"},
      {"run --model C --slope 1 --activation prelu", "'slope'"},
      {"run --model C --teacher_file " + (tmp / "no-such-file.txt").string(), "'teacher_file'"},
      {"run --model C --init_file " + file("bad-matrix.txt", "1 2\n3 x\n"), "'init_file'"},
      {"run --model C --d 5000", "'d'"},
      {"run --model C --teacher_file /dev/zero", "'teacher_file'"},
      {"run --model C --init_file " + tmp.string(), "'init_file'"},
      {"run --model C --diagnostics_every -1", "'diagnostics_every'"},
      {"run --model C --init matrix", "'init'"},
      {"sweep " + file("shard.toml", "trials = 5") + " --shard 0/3", "'shard'"},
      {"sweep " + file("shard.toml", "trials = 5") + " --shard 4/3", "'shard'"},
      {"sweep " + file("shard.toml", "trials = 5") + " --shard two/3", "'shard'"},
      {"sweep " + file("shard.toml", "trials = 5") + " --shard 1/3/5", "'shard'"},
      {"sweep " + file("shard.toml", "trials = 5") + " --shard 1/", "'shard'"},
      {"merge " + tmp.string() + " --out " + out.string(), "no journal.rsj"},
      {"field --d 3", "'d'"},
      {"field --mode online", "'mode'"},
      {"field --model C", "'model'"},
      {"field --points 1", "'points'"},
      {"field --x 2 1", "--x"},
      {"field --trials 3 --trajectory 3", "'trajectory'"},
      {"theory --N 0", "'N'"},
      {"theory --eps 2", "'eps'"},
      {"theory --model B --K 0", "'K'"},
      {"theory --model B --K 5 --x inf", "'x'"},
      {"theory --model B --K 5 --x 0.1 --y nan", "'y'"},
      {"field --model B --x 0 1e300", "--x and --y"},
      {"trace --trials 3 --trajectory 5", "'trajectory'"},
      {"trace --d 0", "'d'"},
      {"trace --model B --K 200", "'K'"},
      {"trace --every 0", "--every: must be >= 1, got 0"},
      {"run --threads -1", "--threads: must be >= 0, got -1"},
      {"run --threads x", "--threads: 'x' is not an integer"},
      {"run --threads 100000", "--threads: must be <= 1024, got 100000"},
      {"bench --threads 5000 --only W4", "--threads: must be <= 1024, got 5000"},
      {"reproduce kong-fig1 --threads 2000", "--threads: must be <= 1024, got 2000"},
      {"run --batch-trajectories -5", "--batch-trajectories: must be >= 0, got -5"},
      {"run --batch-trajectories 5000000000",
       "--batch-trajectories: must be <= 16777216, got 5000000000"},
      {"sweep " +
           file("huge-records.toml", "trials = 4000000000\n[grid]\nseed = [" + seeds(100) + "]") +
           " --trajectories",
       "'trajectories': keeps every trajectory's record in memory: 4e+11 trajectories"},
      {"sweep " + file("trials.toml", "trials = 5") + " --trials 0", "'trials': must be >= 1"},
      {"sweep " + file("trials.toml", "trials = 5") + " --trials 1e12", "'trials': must be < 2^32"},
      {"sweep " + file("trials.toml", "trials = 5") + " --trials five", "'trials'"},
      // A tolerance finer than the arithmetic resolves would be reached only by chance.
      {"run --tol 1e-14", "'tol': 1e-14 is below what double arithmetic resolves"},
      {"run --criterion angle --tol 1e-12", "angle criterion (tol >= 2.1e-07)"},
      {"run --precision float --tol 1e-6", "float arithmetic"},
      {"run --model B --tol 1e-20", "'tol'"},
      {"run --model C --tol 1e-20", "'tol'"},
      {"run --model C --d 2 --init_file " + file("ragged.txt", "1 2\n3\n"),
       "the rows of a matrix must be equally long"},
      {"run --model C --d 2 --teacher_file " + file("rect.txt", "1 2 3\n4 5 6\n"),
       "holds 2 rows of 3 numbers"},
      {"bench --backend cpu --only Kong --kong /dev/null", "is not a regular file"},
      {"bench --backend cpu --only Kong --kong " + fifo, "is not a regular file"},
      // Cells that differ only in spelling would run twice to the same numbers.
      {"sweep " + file("steps-spelling.toml", "[grid]\nsteps = [1e3, 1000]"),
       "same cell once resolved"},
      {"sweep " + file("lambda-unused.toml", "[grid]\nlambda = [0, 0.01]"),
       "same cell once resolved"},
      {"sweep " + file("teacher-ones.toml", "d = 2\n[grid]\nteacher = [\"ones\", [1, 1]]"),
       "same cell once resolved"},
      {"sweep " + file("trials-axis.toml", "[grid]\ntrials = [5, 6]") + " --trials 7",
       "same cell once resolved"},
      // A control character in the input comes back escaped: the message stays one line.
      {"sweep " + file("newline.toml", "mode = \"on\\nline\""), "'on\\nline'"},
      {"bench --backend cpu --only W9", "unknown workload 'W9'"},
      {"bench --backend cpu --only W2,w1", "unknown workload 'w1'"},
      {"bench --backend cpu --only ,W1", "unknown workload ''"},
      {"bench --backend cpu --only Kong --kong " + (tmp / "missing.toml").string(), "cannot read"},
  };
  ASSERT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    std::string err;
    const bool writes = c.args.rfind("sweep", 0) == 0 || c.args.rfind("run", 0) == 0;
    const std::string args = c.args + (writes ? " --out " + out.string() : "");
    EXPECT_EQ(run_cli(args, err), 2) << args << ": " << err;
    EXPECT_NE(err.find(c.names), std::string::npos) << args << ": " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << args << ": " << err;
    EXPECT_FALSE(std::filesystem::exists(out / "summary.csv")) << args;
  }
  std::filesystem::remove_all(tmp);
}

TEST(Cli, BenchOnlyRunsTheWorkloadsItNamesAndCountsEveryStep) {
  // W4 --quick: 64 trajectories of 1000 steps without early stop, so 64000 updates; W4 alone.
  const auto out =
      std::filesystem::temp_directory_path() / ("relusim_test_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(out);
  std::string err;
  ASSERT_EQ(run_cli("bench --backend cpu --threads 2 --quick --only W4 --out " + out.string(), err),
            0)
      << err;
  std::ifstream in(out / "bench.csv");
  std::string header, row, extra;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_EQ(header.rfind("workload,precision,trajectories,trajectory_steps,", 0), 0u) << header;
  EXPECT_EQ(row.rfind("W4,double,64,64000,", 0), 0u) << row;
  EXPECT_FALSE(std::getline(in, extra) && !extra.empty()) << "a second workload: " << extra;
  std::filesystem::remove_all(out);
}

TEST(Cli, ShardsResumeAndTrajectoriesNeedAnOutputDirectory) {
  const std::string sweep = std::string(RELUSIM_SOURCE_DIR) + "/tests/data/uneven.toml";
  std::string err;
  EXPECT_EQ(run_cli("sweep " + sweep + " --trajectories", err), 2);
  EXPECT_NE(err.find("--trajectories needs --out"), std::string::npos) << err;
  EXPECT_EQ(run_cli("sweep " + sweep + " --shard 1/2", err), 2);
  EXPECT_NE(err.find("--shard needs --out"), std::string::npos) << err;
  EXPECT_EQ(run_cli("sweep " + sweep + " --resume", err), 2);
  EXPECT_NE(err.find("--resume needs --out"), std::string::npos) << err;
  // Outside a Slurm array, a bare --shard has nothing to read k/N from.
  EXPECT_EQ(run_cli("sweep " + sweep + " --shard --out /nonexistent/never", err), 2);
  EXPECT_NE(err.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << err;
}

TEST(Cli, AnMpiLaunchOfABuildWithoutMpiIsRefused) {
  // What mpirun sets for each of its processes; a build without MPI would run the whole sweep
  // in every one of them.
  if (world::built_with_mpi()) GTEST_SKIP() << "this build has MPI (tests/scale_out_test.sh)";
  std::string err;
  EXPECT_EQ(run_cli("run --trials 5 --progress never", err), 0) << err;
  ::setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
  const int code = run_cli("run --trials 5 --progress never", err);
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("built without MPI"), std::string::npos) << err;
}

TEST(World, MpiStartsOnlyWhenALauncherStartedTheProcess) {
  // MPI_Init_thread costs most of a second: a command or a Python session that no launcher
  // started runs as the only rank without it.
  const std::vector<const char*> vars = {"OMPI_COMM_WORLD_SIZE",
                                         "OMPI_COMM_WORLD_RANK",
                                         "PMI_RANK",
                                         "PMI_SIZE",
                                         "PMI_FD",
                                         "PMIX_RANK",
                                         "PMIX_NAMESPACE",
                                         "MPI_LOCALNRANKS",
                                         "MV2_COMM_WORLD_RANK",
                                         "RELUSIM_MPI"};
  std::vector<std::pair<const char*, std::string>> saved;
  for (const char* v : vars)
    if (const char* old = std::getenv(v)) saved.emplace_back(v, old);
  for (const char* v : vars)
    ::unsetenv(v);
  EXPECT_FALSE(world::started_by_mpi_launcher());
  int argc = 1;
  char name[] = "relusim";
  char* args[] = {name, nullptr};
  char** argv = args;
  world::init(&argc, &argv);
  EXPECT_FALSE(world::mpi_started());
  EXPECT_EQ(world::size(), 1);
  EXPECT_EQ(world::rank(), 0);
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK"}) {
    ::setenv(v, "0", 1);
    EXPECT_TRUE(world::started_by_mpi_launcher()) << v;
    ::setenv("RELUSIM_MPI", "0", 1);  // the override wins
    EXPECT_FALSE(world::started_by_mpi_launcher()) << v;
    ::unsetenv("RELUSIM_MPI");
    ::unsetenv(v);
  }
  ::setenv("RELUSIM_MPI", "1", 1);
  EXPECT_TRUE(world::started_by_mpi_launcher());
  ::unsetenv("RELUSIM_MPI");
  for (const auto& [v, old] : saved)
    ::setenv(v, old.c_str(), 1);
}

TEST(Cli, SummaryColumnNamesAreUnique) {
  for (const char* model : {"A", "B"}) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("relusim_test_columns_" + std::to_string(::getpid()) + model);
    std::string err;
    ASSERT_EQ(run_cli(std::string("run --model ") + model +
                          " --trials 3 --backend cpu --progress never --out " + dir.string(),
                      err),
              0)
        << err;
    std::ifstream csv(dir / "summary.csv");
    std::string header;
    std::getline(csv, header);
    std::vector<std::string> names;
    std::stringstream ss(header);
    for (std::string name; std::getline(ss, name, ',');)
      names.push_back(name);
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << header;
    EXPECT_EQ(std::count(names.begin(), names.end(), "trials"), 1) << header;
    std::filesystem::remove_all(dir);
  }
}

/// Runs the CLI and returns its stdout.
std::string cli_stdout(const std::string& args) {
  const auto out_file = std::filesystem::temp_directory_path() /
                        ("relusim_test_stdout_" + std::to_string(::getpid()) + ".txt");
  const std::string cmd =
      std::string(RELUSIM_CLI_PATH) + " " + args + " > " + out_file.string() + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << args;
  std::ifstream in(out_file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove(out_file);
  return ss.str();
}

TEST(Cli, ModelBRunTraceAndTheory) {
  // The symmetric start of Tian Thm 4.1 ends at the saddle: the table says so.
  const std::string table = cli_stdout(
      "run --model B --K 2 --mode expected --init symmetric --init_x 0.2 --init_y 0.2 "
      "--trials 2 --backend cpu --eta 0.1");
  EXPECT_NE(table.find("saddle"), std::string::npos) << table;
  EXPECT_NE(table.find("0.5342"), std::string::npos) << table;  // mean x = x*(2)
  // trace: the model's columns, then K x d weights.
  const std::string trace =
      cli_stdout("trace --model B --K 2 --d 3 --mode expected --every 1000 --steps 50");
  EXPECT_EQ(
      trace.substr(0, trace.find('\n')),
      "step,loss,matched_distance,dead_units,x,y,units_matched,units_split,w0,w1,w2,w3,w4,w5");
  const std::string theory = cli_stdout("theory --model B --K 5");
  EXPECT_NE(theory.find("0.256840"), std::string::npos) << theory;
}

TEST(Cli, SuccessfulRunWritesConsistentFiles) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("relusim_test_good_run_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string err;
  ASSERT_EQ(
      run_cli("run --trials 40 --regularizer l2 --lambda 0.01 --backend cpu --trajectories --out " +
                  dir.string(),
              err),
      0)
      << err;
  std::ifstream csv(dir / "summary.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  auto columns = [](const std::string& line) {
    int n = 1;
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"') quoted = !quoted;
      if (ch == ',' && !quoted) ++n;
    }
    return n;
  };
  EXPECT_EQ(columns(header), columns(row));
  EXPECT_NE(row.find(",l2,"), std::string::npos);
  std::ifstream traj(dir / "trajectories.csv");
  int lines = 0;
  for (std::string line; std::getline(traj, line);)
    ++lines;
  EXPECT_EQ(lines, 41);
  EXPECT_TRUE(std::filesystem::exists(dir / "summary.json"));
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_NE(entry.path().extension(), ".partial");
}

}  // namespace
}  // namespace relusim

namespace relusim {
namespace {

std::string command_output(const std::string& cmd) {
  std::string out;
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr)
      out += buf;
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

TEST(Cli, SummaryJsonRecordsTheCurrentRevision) {
  const std::string head = command_output(std::string("git -C ") + RELUSIM_SOURCE_DIR +
                                          " rev-parse --short=12 HEAD 2>/dev/null");
  if (head.size() != 12) GTEST_SKIP() << "not a git checkout";
  const auto dir = std::filesystem::temp_directory_path() /
                   ("relusim_test_provenance_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string err;
  ASSERT_EQ(run_cli("run --trials 3 --backend cpu --out " + dir.string(), err), 0) << err;
  std::ifstream in(dir / "summary.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string json = ss.str();
  // The stamp is taken at build time: the binary under test was built from this HEAD.
  EXPECT_NE(json.find("\"git_revision\": \"" + head), std::string::npos)
      << "HEAD " << head << " in\n"
      << json.substr(json.find("git_revision"), 60);
  EXPECT_NE(json.find("\"relusim_version\""), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace relusim
