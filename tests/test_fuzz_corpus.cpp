// The fuzz targets' corpus (tests/fuzz/corpus/) as regression cases in the ordinary test suite:
// every input ends in a result or a ConfigError, nothing else. Inputs that once found a bug are
// kept there under their own names (crash-*, leak-*, timeout-*).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/fuzz_inputs.hpp"
#include "relusim/models/registry.hpp"

namespace relusim {
namespace {

std::vector<std::string> corpus(const std::string& name) {
  std::vector<std::string> out;
  const auto dir = std::filesystem::path(RELUSIM_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / name;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

TEST(FuzzCorpus, SweepFilesEndInAResultOrABadInputError) {
  const auto inputs = corpus("sweep");
  ASSERT_GE(inputs.size(), 5u);
  for (const std::string& text : inputs)
    EXPECT_NO_THROW(fuzz::sweep_text(text)) << text;
}

TEST(FuzzCorpus, FlagValuesEndInAResultOrABadInputError) {
  const auto inputs = corpus("values");
  ASSERT_GE(inputs.size(), 4u);
  for (const std::string& text : inputs)
    EXPECT_NO_THROW(fuzz::flag_values(text)) << text;
}

}  // namespace
}  // namespace relusim
