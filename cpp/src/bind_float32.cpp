// Everything computed in float32 (one translation unit per dtype: the two
// compile in parallel, and each instantiates the core once).
#include "bind_bootstrap.hpp"
#include "bind_fit.hpp"
#include "bind_sparse.hpp"

namespace ridgeboot::binding {

void register_float32(py::module_& m) {
  register_fit<float>(m, "float32");
  register_sparse<float>(m, "float32");
  register_engine<float>(m, "float32");
}

}  // namespace ridgeboot::binding
