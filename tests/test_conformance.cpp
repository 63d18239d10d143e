// The conformance suite (conformance_suite.hpp) over the one list of models (models/list.hpp),
// and the registry's refusal of an unknown name.
#include <gtest/gtest.h>

#include "conformance_suite.hpp"

namespace relusim {
namespace conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(Models, Conformance, testing::AllModels);
}  // namespace conformance

namespace {

TEST(Registry, AnUnknownNameListsTheModels) {
  try {
    model_entry("Z");
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'Z'; expected A, B or C"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(with_model("Z", [](auto) { return 0; }), ConfigError);
  EXPECT_EQ(model_names(), (std::vector<std::string>{"A", "B", "C"}));
}

}  // namespace
}  // namespace relusim
