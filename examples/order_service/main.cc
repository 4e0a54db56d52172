// order_service: see order_service.h.
#include <iostream>
#include <string>
#include <vector>

#include "examples/order_service/order_service.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return lockstep::examples::RunOrderService(args, std::cin, {std::cout, std::cerr});
}
