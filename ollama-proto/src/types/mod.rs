//! Typed requests and responses for every endpoint, as they appear on the wire.

pub mod account;
pub mod blobs;
pub mod chat;
pub mod completion;
pub mod create;
pub mod embed;
pub mod format;
pub mod generate;
pub mod image;
pub mod keep_alive;
pub mod logprob;
pub mod message;
pub mod models;
pub mod named;
pub mod options;
pub mod progress;
pub mod show;
pub mod soft_switch;
pub mod systemone;
pub mod think;
pub mod tool;
pub mod web;

pub use account::{
    BalanceResponse, GetBalance, GetMe, GetUsage, IncludedBalance, LegacyLimit, LimitWindow,
    Period, PlanKind, PurchasedBalance, UsageBucket, UsageCounts, UsageRange, UsageResponse,
    UsageScope, UserResponse,
};
pub use blobs::{BlobDigest, BlobExists, CreateBlob};
pub use chat::{ChatRequest, ChatResponse};
pub use completion::{DoneReason, Metrics};
pub use create::{CreateInfo, CreateRequest, License};
pub use embed::{EmbedInput, EmbedRequest, EmbedResponse, EmbeddingsRequest, EmbeddingsResponse};
pub use format::Format;
pub use generate::{GenerateRequest, GenerateResponse};
pub use image::{Image, ImageError, ImageFileError, ImageKind, MAX_IMAGE_FILE};
pub use keep_alive::KeepAlive;
pub use logprob::{Logprob, TopLogprob};
pub use message::{Message, Role};
pub use models::{
    Capability, CopyRequest, DeleteRequest, ListResponse, ModelDetails, ModelInfo, ProcessResponse,
    RunningModel, VersionResponse,
};
pub use named::Named;
pub use options::Options;
pub use progress::{ProgressResponse, PullRequest, PushRequest};
pub use show::{ShowRequest, ShowResponse, Tensor};
pub use systemone::{
    Answer, DecisionUsage, Question, QuestionType, SystemOneRequest, SystemOneResponse,
};
pub use think::{Think, ThinkLevel};
pub use tool::{Tool, ToolCall, ToolCallFunction, ToolFunction};
pub use web::{
    WebFetchRequest, WebFetchResponse, WebSearchRequest, WebSearchResponse, WebSearchResult,
};
