-- Captions every image on hovle.images into the Kafka topic hovle.captions (JSON), with the hovle model provider.
-- Run it with `./hovle sql --file samples/caption-images.sql` beside a running `./hovle run`; ${...} are filled in by
-- `hovle sql` (see docs/sql.md).

CREATE TABLE images (
  image_id STRING,
  data     BYTES,   -- the encoded file, or NULL when the event carries a uri
  uri      STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'hovle.images',
  'properties.bootstrap.servers' = '${bootstrap-servers}',
  'properties.group.id' = 'hovle-sql-captions',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'hovle-avro',
  'hovle-avro.event' = 'ImageEvent'
);

CREATE TEMPORARY MODEL captioner
  INPUT (image BYTES, image_uri STRING)
  OUTPUT (answer STRING, model_version STRING, error_type STRING, error STRING)
  WITH (
    'provider' = 'hovle',
    'model.dir' = '${model-dir}',
    'max-new-tokens' = '24',
    'images.uri-prefixes' = '${image-uri-prefixes}'
  );

CREATE TABLE captions WITH (
  'connector' = 'kafka',
  'topic' = 'hovle.captions',
  'properties.bootstrap.servers' = '${bootstrap-servers}',
  'format' = 'json'
) AS SELECT image_id, answer, model_version, error_type, error
     FROM ML_PREDICT(TABLE images, MODEL captioner, DESCRIPTOR(data, uri));
