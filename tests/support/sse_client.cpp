#include "sse_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace ticketing::testing {

SseClient::SseClient(std::uint16_t port, std::string const& target,
                     std::vector<std::pair<std::string, std::string>> const& headers, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr const*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (auto const& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("send failed");
  }
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t end = std::string::npos;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline || !read_some(std::chrono::milliseconds(500))) {
      if (closed_ || std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no response head");
    }
  }
  std::string const head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  status_ = std::stoi(head.substr(9, 3));
  std::size_t line = head.find("\r\n");
  while (line != std::string::npos) {
    std::size_t const next = head.find("\r\n", line + 2);
    std::string const field = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
    if (auto const colon = field.find(':'); colon != std::string::npos) {
      std::string name = field.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = field.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers_[name] = value;
    }
    line = next;
  }
  chunked_ = header("transfer-encoding") == "chunked";
  decode();
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SseClient::header(std::string const& lower_case_name) const {
  auto const it = headers_.find(lower_case_name);
  return it == headers_.end() ? std::string() : it->second;
}

bool SseClient::read_some(std::chrono::milliseconds timeout) {
  if (closed_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buffer[16384];
  ssize_t const n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

void SseClient::decode() {
  if (!chunked_) {
    body_ += raw_;
    raw_.clear();
    return;
  }
  for (;;) {
    auto const line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    std::size_t const size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (raw_.size() < line_end + 2 + size + 2) return;
    body_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
    if (size == 0) {
      closed_ = true;
      return;
    }
  }
}

std::optional<SseMessage> SseClient::next(std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    while (true) {
      auto const end = body_.find("\n\n");
      if (end == std::string::npos) break;
      std::string const block = body_.substr(0, end + 1);
      body_.erase(0, end + 2);
      SseMessage message;
      bool has_data = false;
      std::size_t at = 0;
      while (at < block.size()) {
        std::size_t const eol = block.find('\n', at);
        std::string const field = block.substr(at, eol - at);
        at = eol + 1;
        if (field.empty() || field.front() == ':') continue;
        auto const colon = field.find(':');
        std::string const name = field.substr(0, colon);
        std::string value = colon == std::string::npos ? std::string() : field.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "id") message.id = value;
        if (name == "event") message.event = value;
        if (name == "data") {
          if (has_data) message.data += '\n';
          message.data += value;
          has_data = true;
        }
      }
      if (has_data) return message;
    }
    auto const now = std::chrono::steady_clock::now();
    if (closed_ || now >= deadline) return std::nullopt;
    if (read_some(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now))) decode();
  }
}

std::vector<SseMessage> SseClient::drain(std::chrono::milliseconds quiet) {
  std::vector<SseMessage> out;
  while (auto message = next(quiet)) out.push_back(std::move(*message));
  return out;
}

}  // namespace ticketing::testing
