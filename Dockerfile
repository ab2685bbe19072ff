# The ticketing server image: built on Debian 12 with the same packages the
# project's scripts install, run on a slim Debian 12 with their runtime parts.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libboost1.81-dev libboost-json1.81-dev librocksdb-dev librdkafka-dev libsimdjson-dev \
      libsodium-dev doctest-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# A portable binary (no -march for the build machine's CPU).
RUN cmake --preset release -DTICKETING_BUILD_TESTS=OFF -DTICKETING_BUILD_BENCH=OFF -DTICKETING_MARCH= \
 && cmake --build build/release --target ticketing

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      librocksdb7.8 librdkafka1 libsimdjson14 libsodium23 libssl3 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/release/app/ticketing /usr/local/bin/ticketing
VOLUME /data
EXPOSE 3000
ENTRYPOINT ["ticketing"]
CMD ["serve", "--listen", "0.0.0.0:3000", "--data", "/data"]
