// Overflow and underflow safety by exact rescaling.
//
// A ridge problem scaled by powers of two -- weights w' = s_w w, X' = s_x X,
// Y' = s_y Y and alpha' = s_w s_x^2 alpha -- has the solution w' = (s_y / s_x) w,
// b' = s_y b, and every floating-point operation of a fit (products, sums,
// square roots, divisions, the factorizations) commutes with such a scaling as
// long as nothing overflows or underflows. So a fit runs unscaled (every bit as
// before) unless the Gram, the gathered rows or their cross-products leave the
// working range of the dtype; then it is redone with powers of two that bring the
// data near 1, and the solution is scaled back, exactly.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "types.hpp"

namespace ridgeboot {

// alpha' = alpha w x^2 of a scaled problem, formed in an order that reaches any
// representable result without overflowing or underflowing on the way.
struct AlphaScale {
  double x = 1, w = 1;  // powers of two

  template <class S>
  S operator()(S alpha) const {
    return S(S(S(alpha * S(x)) * S(x)) * S(w));
  }
  bool identity() const { return x == 1 && w == 1; }
};

template <class T>
struct Scaling {
  T x = 1, y = 1, w = 1;  // powers of two (w an even power: sqrt(w) is exact)

  bool identity() const { return x == T(1) && y == T(1) && w == T(1); }
  AlphaScale alpha() const { return {double(x), double(w)}; }

  // w = w' x / y: the solution of the scaled problem back in the data's units.
  template <class M>
  void unscale(M& W) const {
    if (x != T(1)) W *= x;
    if (y != T(1)) W /= y;
  }
};

// 2^-e with e the exponent of v (so v 2^-e lies in [1, 2)), kept a normal number of
// the dtype; 1 for 0 or non-finite v.
template <class T>
T inverse_power_of_two(double v) {
  if (!(v > 0) || !std::isfinite(v)) return T(1);
  using L = std::numeric_limits<T>;
  const int e = std::clamp(-std::ilogb(v), L::min_exponent - 1, L::max_exponent - 1);
  return T(std::ldexp(1.0, e));
}

// The power of two that brings max|v| into [1, 2), 1 for zeros or a non-finite entry:
// Python's power_of_two_scale (the bootstrap's moments are taken with it).
template <class V>
double power_of_two_scale(const V& v) {
  return v.size() && v.allFinite() ? inverse_power_of_two<double>(double(v.cwiseAbs().maxCoeff())) : 1.0;
}

// Whether a magnitude is safely inside the range where its square neither
// overflows nor loses digits to underflow (one mantissa of room at both ends): the
// range of anything a factorization squares -- gathered rows for the SVD, a Gram or
// kernel for the Householder reductions of the eigen routes.
template <class T>
bool in_value_range(double v) {
  using L = std::numeric_limits<T>;
  const double lo = std::ldexp(1.0, L::min_exponent / 2 + L::digits);
  const double hi = std::ldexp(1.0, L::max_exponent / 2 - L::digits);
  return v == 0 || (v >= lo && v <= hi);
}

// A Gram G (lower triangle) and its right-hand sides R that a solve can use as
// they are. (|G_ij| <= sqrt(G_ii G_jj): the diagonal bounds the whole matrix.)
template <class T>
bool gram_in_range(const Matrix<T>& G, const Matrix<T>& R) {
  if (!G.diagonal().allFinite() || !R.allFinite()) return false;
  return in_value_range<T>(G.size() ? double(G.diagonal().maxCoeff()) : 0.0) &&
         in_value_range<T>(R.size() ? double(R.cwiseAbs().maxCoeff()) : 0.0);
}

// Gathered rows (and their targets) a factorization can use as they are; with
// `squared`, also their kernel Z Z^T (the dual form's, which the eigen route reduces).
template <class T, class A, class B>
bool rows_in_range(const A& Z, const B& Yz, bool squared = false) {
  if (!Z.allFinite() || !Yz.allFinite()) return false;
  const double z = Z.size() ? double(Z.cwiseAbs().maxCoeff()) : 0.0;
  const double y = Yz.size() ? double(Yz.cwiseAbs().maxCoeff()) : 0.0;
  return in_value_range<T>(z) && in_value_range<T>(y) && (!squared || in_value_range<T>(z * z));
}

}  // namespace ridgeboot
