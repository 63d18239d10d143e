// `relusim field`: Model A's field is minus the gradient of the loss it reports (central
// differences), it vanishes at the teacher; Model B's reduced field vanishes at Tian's saddle
// (x*, x*) and at the teacher (1, 0); the command writes the CSV and, with matplotlib, a PNG and
// an SVG of the expected size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "relusim/models/b/cell.hpp"
#include "relusim/models/b/theory.hpp"
#include "relusim/models/field.hpp"

namespace relusim {
namespace {

CellConfig model_a_cell(DataMode mode) {
  CellConfig c;
  c.d = 2;
  c.n_samples = 30;
  c.mode = mode;
  return c;
}

/// The field at (a, b) and the loss at the four neighbours at distance h.
struct Probe {
  FieldPoint centre;
  double lx_minus, lx_plus, ly_minus, ly_plus;
};

Probe probe(const CellConfig& c, double a, double b, double h) {
  FieldGrid g{a - h, a + h, b - h, b + h, 3};
  const Field f = vector_field(c, 3, g);
  // Row by row, y outer: index = 3 * iy + ix.
  return {f.points[4], f.points[3].loss, f.points[5].loss, f.points[1].loss, f.points[7].loss};
}

TEST(Field, ModelAIsMinusTheGradientOfItsLoss) {
  for (DataMode mode : {DataMode::fixed, DataMode::expected}) {
    const CellConfig c = model_a_cell(mode);
    for (auto [a, b] : {std::pair{0.3, -0.4}, std::pair{1.7, 0.2}, std::pair{-0.6, 1.1}}) {
      const double h = 1e-6;
      const Probe p = probe(c, a, b, h);
      const double gx = (p.lx_plus - p.lx_minus) / (2 * h);
      const double gy = (p.ly_plus - p.ly_minus) / (2 * h);
      EXPECT_NEAR(p.centre.dx, -gx, 1e-6) << to_string(mode) << " at " << a << ", " << b;
      EXPECT_NEAR(p.centre.dy, -gy, 1e-6) << to_string(mode) << " at " << a << ", " << b;
      EXPECT_GT(std::hypot(p.centre.dx, p.centre.dy), 1e-3);  // a point that is not at rest
    }
  }
}

TEST(Field, ModelAVanishesAtTheTeacher) {
  for (DataMode mode : {DataMode::fixed, DataMode::expected}) {
    const Field f = vector_field(model_a_cell(mode), 0, {0.0, 1.0, 0.0, 1.0, 2});
    const FieldPoint& at_teacher = f.points.back();  // (1, 1): teacher "ones"
    ASSERT_EQ(at_teacher.x, 1.0);
    ASSERT_EQ(at_teacher.y, 1.0);
    EXPECT_NEAR(at_teacher.dx, 0.0, 1e-12);
    EXPECT_NEAR(at_teacher.dy, 0.0, 1e-12);
    EXPECT_GT(std::hypot(f.points.front().dx, f.points.front().dy) +
                  std::hypot(f.points[1].dx, f.points[1].dy),
              1e-3);
  }
}

TEST(Field, ModelBVanishesAtTheSaddleAndTheTeacher) {
  for (int k : {2, 5, 10}) {
    CellConfig c;
    c.model = "B";
    c.of<ModelBCell>().K = k;
    const double xs = tian_saddle_x(k);
    const Field f = vector_field(c, 0, {xs, 1.0, 0.0, xs, 2});
    // Grid (xs, 0), (1, 0), (xs, xs), (1, xs): the saddle is index 2, the teacher index 1.
    EXPECT_NEAR(f.points[2].dx, 0.0, 1e-9) << "K = " << k;
    EXPECT_NEAR(f.points[2].dy, 0.0, 1e-9) << "K = " << k;
    EXPECT_NEAR(f.points[1].dx, 0.0, 1e-9) << "K = " << k;
    EXPECT_NEAR(f.points[1].dy, 0.0, 1e-9) << "K = " << k;
    EXPECT_GT(std::hypot(f.points[3].dx, f.points[3].dy), 1e-3) << "K = " << k;
  }
}

TEST(Field, CellsWithoutATwoDimensionalFieldAreRefused) {
  CellConfig three = model_a_cell(DataMode::fixed);
  three.d = 3;
  EXPECT_THROW(vector_field(three, 0, {}), ConfigError);
  EXPECT_THROW(vector_field(model_a_cell(DataMode::online), 0, {}), ConfigError);
  CellConfig c;
  c.model = "C";
  EXPECT_THROW(vector_field(c, 0, {}), ConfigError);
  EXPECT_THROW(vector_field(model_a_cell(DataMode::fixed), 0, {0, 1, 0, 1, 1}), ConfigError);
  EXPECT_THROW(vector_field(model_a_cell(DataMode::fixed), 0, {1, 0, 0, 1, 5}), ConfigError);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST(Field, TheCommandWritesTheDataAndAFigure) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("relusim_field_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string cmd = std::string(RELUSIM_CLI_PATH) +
                          " field --model B --K 5 --points 11 --out " + dir.string() +
                          " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string csv = read_file(dir / "field.csv");
  EXPECT_EQ(csv.rfind("x,y,dx,dy,speed,loss\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 11 * 11);
  EXPECT_NE(read_file(dir / "marks.csv").find("saddle"), std::string::npos);
  if (std::system("/usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1") != 0) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "no matplotlib for /usr/bin/python3: the data were checked, not the figure";
  }
  const std::string png = read_file(dir / "field.png");
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 960u);  // 6.4 x 5.6 inches at 150 dpi
  EXPECT_EQ(be32(20), 840u);
  EXPECT_GT(png.size(), 20000u);  // arrows, labels and a colour bar, not a blank page
  const std::string svg = read_file(dir / "field.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_GT(std::count(svg.begin(), svg.end(), '\n'), 500);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace relusim
