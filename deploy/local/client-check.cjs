/**
 * Client compatibility check of a running local stack with the project's own Node clients
 * (kafkajs 2.2.4, ioredis, @aws-sdk/client-s3), e.g. after changing a pinned server version:
 *
 *   set -a; eval "$(bash deploy/local/stack.sh up kafka kafka-sasl redis redis-cluster s3)"; set +a
 *   node deploy/local/client-check.cjs [kafka,sasl,redis,cluster,s3]
 *
 * Needs `npm ci` first. The Jest integration tier is the real test suite; this only answers
 * "do these server versions work with these client versions". Ends with "N passed, M failed".
 */
const path = require('node:path');
const repoRoot = path.resolve(__dirname, '../..');
const req = (m) => require(require.resolve(m, { paths: [repoRoot] }));
const fs = require('node:fs');
const { Kafka, logLevel } = req('kafkajs');
const Redis = req('ioredis');
const S3 = req('@aws-sdk/client-s3');
const e = process.env;
const results = [];
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(['ok', name]);
    console.log(`ok   ${name} (${Date.now() - t0}ms)`);
  } catch (err) {
    results.push(['FAIL', name]);
    console.log(`FAIL ${name}: ${(err && err.stack) || err}`);
  }
}
async function kafkaRoundtrip(cfg, label) {
  const kafka = new Kafka({ clientId: 'check', logLevel: logLevel.WARN, ...cfg });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `nc-${label}-${Date.now()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const msgs = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
  await producer.send({ topic, messages: msgs, acks: -1 });
  // transactional producer too
  const tp = kafka.producer({
    transactionalId: `tx-${label}-${Date.now()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await tp.connect();
  const tx = await tp.transaction();
  await tx.send({ topic, messages: [{ key: 'tx', value: 'tx' }] });
  await tx.commit();
  await tp.disconnect();
  const consumer = kafka.consumer({
    groupId: `g-${label}-${Date.now()}`,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = [];
  await new Promise((resolve, reject) => {
    const to = setTimeout(() => reject(new Error(`timeout, got ${got.length}`)), 60000);
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value.toString());
        if (got.length >= 11) {
          clearTimeout(to);
          resolve();
        }
      },
    });
  });
  await consumer.commitOffsets([]).catch(() => {});
  const offs = await admin.fetchTopicOffsets(topic);
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const groups = await admin.listGroups();
  const gid = groups.groups.map((g) => g.groupId).find((g) => g.startsWith(`g-${label}`));
  await admin.describeGroups([gid]);
  await admin.fetchOffsets({ groupId: gid, topics: [topic] });
  await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60000);
  await admin.describeCluster();
  await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false });
  await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  if (got.length < 11) throw new Error('missing messages');
  if (md.topics[0].partitions.length < 3) throw new Error('partitions');
}
(async () => {
  // default: every part whose settings are in the environment (i.e. whose server is up)
  const needs = {
    kafka: 'KAFKA_BROKERS',
    sasl: 'KAFKA_SASL_BROKERS',
    redis: 'REDIS_URL',
    cluster: 'REDIS_CLUSTER_NODES',
    s3: 'S3_ENDPOINT',
  };
  let only = process.argv[2]
    ? process.argv[2].split(',')
    : Object.keys(needs).filter((part) => e[needs[part]]);
  for (const part of only) {
    if (!needs[part]) throw new Error(`unknown part ${part} (known: ${Object.keys(needs)})`);
    if (!e[needs[part]]) {
      await step(`${part}: settings present`, async () => {
        throw new Error(`${needs[part]} is not set; source the output of stack.sh up first`);
      });
    }
  }
  only = only.filter((part) => e[needs[part]]);
  if (only.length === 0) console.log('nothing to check: no stack settings in the environment');
  if (only.includes('kafka'))
    await step('kafkajs PLAINTEXT admin/produce(idempotent,tx)/consume', () =>
      kafkaRoundtrip({ brokers: e.KAFKA_BROKERS.split(',') }, 'plain'),
    );
  if (only.includes('kafka'))
    await step('kafkajs auto-create topic on produce', async () => {
      const kafka = new Kafka({
        clientId: 'check',
        logLevel: logLevel.NOTHING,
        brokers: e.KAFKA_BROKERS.split(','),
      });
      const p = kafka.producer({ allowAutoTopicCreation: true });
      await p.connect();
      await p.send({ topic: `auto-${Date.now()}`, messages: [{ value: 'x' }] });
      await p.disconnect();
    });
  const saslCfg = (password) => ({
    brokers: e.KAFKA_SASL_BROKERS.split(','),
    ssl: { ca: [fs.readFileSync(e.KAFKA_SASL_CA_FILE)], servername: 'localhost' },
    sasl: { mechanism: 'plain', username: e.KAFKA_SASL_USERNAME, password },
    connectionTimeout: 5000,
  });
  if (only.includes('sasl'))
    await step('kafkajs SASL_SSL/PLAIN (CA file, servername localhost)', () =>
      kafkaRoundtrip(saslCfg(e.KAFKA_SASL_PASSWORD), 'sasl'),
    );
  if (only.includes('sasl'))
    await step('kafkajs SASL_SSL without servername (IP SAN)', async () => {
      const c = saslCfg(e.KAFKA_SASL_PASSWORD);
      delete c.ssl.servername;
      const a = new Kafka({ clientId: 'check', logLevel: logLevel.NOTHING, ...c }).admin();
      await a.connect();
      await a.listTopics();
      await a.disconnect();
    });
  if (only.includes('sasl'))
    await step('kafkajs SASL_SSL wrong password refused', async () => {
      const a = new Kafka({
        clientId: 'check',
        logLevel: logLevel.NOTHING,
        ...saslCfg('AKID#WRONG'),
        retry: { retries: 0 },
      }).admin();
      try {
        await a.connect();
        await a.listTopics();
      } catch (err) {
        if (/SASL|auth/i.test(String(err))) return;
        throw err;
      } finally {
        await a.disconnect().catch(() => {});
      }
      throw new Error('accepted wrong password');
    });
  if (only.includes('redis'))
    await step('ioredis single', async () => {
      const r = new Redis(e.REDIS_URL);
      await r.set('nc', '1');
      if ((await r.get('nc')) !== '1') throw new Error('get');
      await r.quit();
    });
  if (only.includes('cluster'))
    await step('ioredis Cluster', async () => {
      const c = new Redis.Cluster(
        e.REDIS_CLUSTER_NODES.split(',').map((hp) => ({
          host: hp.split(':')[0],
          port: +hp.split(':')[1],
        })),
      );
      for (let i = 0; i < 20; i++) await c.set(`nc:${i}`, String(i));
      for (let i = 0; i < 20; i++)
        if ((await c.get(`nc:${i}`)) !== String(i)) throw new Error('get ' + i);
      await c.quit();
    });
  if (only.includes('s3'))
    await step('@aws-sdk/client-s3 bucket/put/get/list/multipart/delete', async () => {
      const s3 = new S3.S3Client({
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY },
      });
      const Bucket = `nc-${Date.now()}`;
      await s3.send(new S3.CreateBucketCommand({ Bucket }));
      await s3.send(
        new S3.PutObjectCommand({
          Bucket,
          Key: 'a/b.json',
          Body: JSON.stringify({ x: 1 }),
          ContentType: 'application/json',
        }),
      );
      const got = await s3.send(new S3.GetObjectCommand({ Bucket, Key: 'a/b.json' }));
      const body = await got.Body.transformToString();
      if (body !== '{"x":1}') throw new Error('body ' + body);
      const list = await s3.send(new S3.ListObjectsV2Command({ Bucket, Prefix: 'a/' }));
      if (list.KeyCount !== 1) throw new Error('list');
      const mp = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket, Key: 'big' }));
      const part = Buffer.alloc(5 * 1024 * 1024, 7);
      const p1 = await s3.send(
        new S3.UploadPartCommand({
          Bucket,
          Key: 'big',
          UploadId: mp.UploadId,
          PartNumber: 1,
          Body: part,
        }),
      );
      const p2 = await s3.send(
        new S3.UploadPartCommand({
          Bucket,
          Key: 'big',
          UploadId: mp.UploadId,
          PartNumber: 2,
          Body: Buffer.from('tail'),
        }),
      );
      await s3.send(
        new S3.CompleteMultipartUploadCommand({
          Bucket,
          Key: 'big',
          UploadId: mp.UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: p1.ETag },
              { PartNumber: 2, ETag: p2.ETag },
            ],
          },
        }),
      );
      const h = await s3.send(new S3.HeadObjectCommand({ Bucket, Key: 'big' }));
      if (h.ContentLength !== part.length + 4) throw new Error('len ' + h.ContentLength);
      await s3.send(
        new S3.DeleteObjectsCommand({
          Bucket,
          Delete: { Objects: [{ Key: 'a/b.json' }, { Key: 'big' }] },
        }),
      );
      await s3.send(new S3.DeleteBucketCommand({ Bucket }));
    });
  const failed = results.filter((r) => r[0] !== 'ok').length;
  console.log(`client-check: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
