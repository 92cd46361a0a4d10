// The float fits of test_solve, compiled apart so that two cores build test_solve.
#include "fit_check.hpp"

void fit_check::test_fit_routes_float() { test_fit_routes<float>(); }
