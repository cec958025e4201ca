package dev.hovle.model.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed, path-aware access to one JSON object of a config file, so every error names the full key. */
record JsonFields(JsonNode node, String path) {

    JsonFields child(String key) {
        JsonNode value = require(key);
        if (!value.isObject()) {
            throw new ConfigException(qualified(key) + " must be a JSON object, found " + value.getNodeType());
        }
        return new JsonFields(value, qualified(key));
    }

    boolean has(String key) {
        return node.hasNonNull(key);
    }

    int integer(String key) {
        JsonNode value = require(key);
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new ConfigException(qualified(key) + " must be an integer, found " + value);
        }
        return value.intValue();
    }

    int integer(String key, int fallback) {
        return has(key) ? integer(key) : fallback;
    }

    double number(String key) {
        JsonNode value = require(key);
        if (!value.isNumber()) {
            throw new ConfigException(qualified(key) + " must be a number, found " + value);
        }
        return value.doubleValue();
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) { // InternVL configs write some switches as 0/1
            return value.intValue() != 0;
        }
        throw new ConfigException(qualified(key) + " must be a boolean, found " + value);
    }

    String text(String key) {
        JsonNode value = require(key);
        if (!value.isTextual()) {
            throw new ConfigException(qualified(key) + " must be a string, found " + value);
        }
        return value.textValue();
    }

    String text(String key, String fallback) {
        return has(key) ? text(key) : fallback;
    }

    private JsonNode require(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new ConfigException("config.json: missing required key '" + qualified(key) + "'");
        }
        return value;
    }

    String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
