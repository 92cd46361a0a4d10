// Everything computed in float64 (one translation unit per dtype: the two
// compile in parallel, and each instantiates the core once).
#include "bind_bootstrap.hpp"
#include "bind_fit.hpp"
#include "bind_sparse.hpp"

namespace ridgeboot::binding {

void register_float64(py::module_& m) {
  register_fit<double>(m, "float64");
  register_sparse<double>(m, "float64");
  register_engine<double>(m, "float64");
}

}  // namespace ridgeboot::binding
