package dev.hovle.model.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hovle.model.config.PixelShuffleLocation;

/**
 * Writes a {@code config.json} in the released InternVL-chat layout for a {@link ModelSize}, with the special
 * token ids of the snapshot's own tokenizer.
 */
final class ConfigJson {
    private ConfigJson() {}

    /** Token ids the config must agree on with the tokenizer files. */
    record TokenIds(int bos, int eos, int pad, int imgContext) {}

    static String write(ModelSize size, TokenIds ids, PixelShuffleLocation placement, String torchDtype) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putNull("_commit_hash");
        root.putArray("architectures").add("InternVLChatModel");
        ObjectNode autoMap = root.putObject("auto_map");
        autoMap.put("AutoConfig", "configuration_internvl_chat.InternVLChatConfig");
        autoMap.put("AutoModel", "modeling_internvl_chat.InternVLChatModel");
        autoMap.put("AutoModelForCausalLM", "modeling_internvl_chat.InternVLChatModel");
        root.put("downsample_ratio", 0.5);
        root.put("dynamic_image_size", true);
        root.put("force_image_size", size.imageSize());
        root.put("max_dynamic_patch", size.maxTiles());
        root.put("min_dynamic_patch", 1);
        root.put("model_type", "internvl_chat");
        root.put("normalize_encoder_output", false);
        root.put("pad2square", false);
        root.put("ps_version", "v1");
        root.put("select_layer", -1);
        root.put("template", "internlm2-chat");
        root.put("torch_dtype", torchDtype);
        root.putNull("transformers_version");
        root.put("use_backbone_lora", 0);
        root.put("use_llm_lora", 0);
        root.put("use_thumbnail", true);

        ObjectNode embedding = root.putObject("embedding_config");
        decoder(embedding, size, size.holisticLayers());
        embedding.put("model_type", "holistic_embedding");
        embedding.put("attn_implementation", "eager");
        embedding.put("downsample_ratio", 0.5);
        embedding.put("image_size", size.imageSize());
        embedding.put("patch_size", 14);
        embedding.put("num_channels", 3);
        embedding.put("img_context_token_id", ids.imgContext());
        embedding.put("llm_hidden_size", size.hidden());
        embedding.put("llm_vocab_size", size.vocab());
        embedding.put("max_position_embeddings", 4096);
        embedding.put("rope_theta", 10000.0);
        embedding.putNull("rope_scaling");
        embedding.put("pixel_shuffle_loc", placement.configValue());
        embedding.put("use_pixel_shuffle_proj", true);
        embedding.put("use_img_start_end_tokens", true);
        embedding.putObject("special_token_maps");

        ObjectNode llm = root.putObject("llm_config");
        decoder(llm, size, size.llmLayers());
        llm.put("model_type", "internlm2");
        llm.put("attn_implementation", "eager");
        llm.putArray("architectures").add("InternLM2ForCausalLM");
        llm.put("bias", false);
        llm.put("bos_token_id", ids.bos());
        llm.put("eos_token_id", ids.eos());
        llm.put("pad_token_id", ids.pad());
        llm.put("vocab_size", size.vocab());
        llm.put("max_position_embeddings", 32768);
        llm.put("rope_theta", 1000000);
        ObjectNode scaling = llm.putObject("rope_scaling");
        scaling.put("factor", 2.0);
        scaling.put("type", "dynamic");
        llm.put("tie_word_embeddings", false);
        llm.put("use_cache", true);
        llm.put("initializer_range", 0.02);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void decoder(ObjectNode node, ModelSize size, int layers) {
        node.put("hidden_size", size.hidden());
        node.put("num_attention_heads", size.heads());
        node.put("num_key_value_heads", size.kvHeads());
        node.put("intermediate_size", size.intermediate());
        node.put("num_hidden_layers", layers);
        node.put("rms_norm_eps", 1e-5);
        node.put("hidden_act", "silu");
        node.put("torch_dtype", "float32");
    }
}
