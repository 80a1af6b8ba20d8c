/**
 * @brief   Co-simulation bench for a generated e3ne top level (module e3ne_top).
 * @description
 *  Streams +N=<count> images (default and at most N_IMAGES, the capacity it was built
 *  for) of IN_BEATS beats each from the hex file given by +IN=<path> into s_axis,
 *  collects every m_axis beat into +OUT=<path> (one hex word per line,
 *  "<tlast> <tdata>"), and prints per image the cycle of its first input transfer and of
 *  its last output beat ("IMG <i> <first_in> <last_out>"). With +STALLS the input has
 *  random gaps and the output random back-pressure; both draw their random number every
 *  cycle, so the stalls seen by image i do not depend on how many images follow it (a
 *  shard of the first images times exactly like the same images of a longer run). The
 *  handshake rules of hw/README.md are asserted on the DUT's output. Ends with PASS, or FAIL
 *  naming what went wrong (time-out, wrong beat count, a rule broken). Values are checked by
 *  the Python caller.
 *  With E3NE_WEIGHT_PORT defined (a design with weights in UltraRAM), the WB_BEATS beats of
 *  +WEIGHTS=<path> (default weights.mem) go into s_axis_weights from reset, with random
 *  gaps under +STALLS; images are offered from reset as well and wait for the design.
 *  With E3NE_WEIGHT_AXI defined as well (--weight-port m_axi), the design reads them
 *  itself on m_axi_weights from axi_read_mem (weights_addr = WB_BASE, latency WB_LAT,
 *  arready and rvalid stalls under +STALLS); weights_err must stay low.
 *  With E3NE_VCD defined (a build with --trace), +VCD=<path> dumps every net of the DUT.
 */
module top_tb #(
  parameter int IN_W      = 8,     // s_axis_tdata width
  parameter int OUT_W     = 32,    // m_axis_tdata width
  parameter int IN_BEATS  = 16,    // input beats per image
  parameter int OUT_BEATS = 2,     // output beats per image (the last carries tlast)
  parameter int N_IMAGES  = 1,     // capacity: the most images one run can stream
  parameter int TIMEOUT   = 10000000,
  parameter int WB_W      = 64,    // s_axis_weights width (E3NE_WEIGHT_PORT)
  parameter int WB_BEATS  = 1,     // beats in the weight image (E3NE_WEIGHT_PORT)
  parameter int WB_ADDR_W = 40,    // m_axi_weights address bits (E3NE_WEIGHT_AXI)
  parameter longint WB_BASE = 0,   // weights_addr: where the image sits (E3NE_WEIGHT_AXI)
  parameter int WB_LAT    = 24     // memory latency, cycles (E3NE_WEIGHT_AXI)
) ();
  logic ap_clk = 1'b0;
  logic ap_rst_n = 1'b0;
  always #5 ap_clk = ~ap_clk;

  logic              s_axis_tvalid, s_axis_tready;
  logic [IN_W-1:0]   s_axis_tdata;
  logic              m_axis_tvalid, m_axis_tready, m_axis_tlast;
  logic [OUT_W-1:0]  m_axis_tdata;

`ifdef E3NE_WEIGHT_AXI
  logic                  m_axi_weights_arvalid, m_axi_weights_arready;
  logic [WB_ADDR_W-1:0]  m_axi_weights_araddr;
  logic [7:0]            m_axi_weights_arlen;
  logic [2:0]            m_axi_weights_arsize;
  logic [1:0]            m_axi_weights_arburst, m_axi_weights_rresp;
  logic                  m_axi_weights_rvalid, m_axi_weights_rready, m_axi_weights_rlast;
  logic [WB_W-1:0]       m_axi_weights_rdata;
  logic                  weights_err;
  int                    MemErrors;
`elsif E3NE_WEIGHT_PORT
  logic              s_axis_weights_tvalid, s_axis_weights_tready;
  logic [WB_W-1:0]   s_axis_weights_tdata;
`endif

  e3ne_top dut (
`ifdef E3NE_WEIGHT_AXI
    .m_axi_weights_arvalid, .m_axi_weights_arready, .m_axi_weights_araddr,
    .m_axi_weights_arlen, .m_axi_weights_arsize, .m_axi_weights_arburst,
    .m_axi_weights_rvalid, .m_axi_weights_rready, .m_axi_weights_rdata,
    .m_axi_weights_rresp, .m_axi_weights_rlast,
    .weights_addr(WB_ADDR_W'(WB_BASE)), .weights_err,
`elsif E3NE_WEIGHT_PORT
    .s_axis_weights_tvalid, .s_axis_weights_tready, .s_axis_weights_tdata,
`endif
    .cycles(),
    .ap_clk, .ap_rst_n,
    .s_axis_tvalid, .s_axis_tready, .s_axis_tdata,
    .m_axis_tvalid, .m_axis_tready, .m_axis_tdata, .m_axis_tlast
  );

  logic [IN_W-1:0] InMem [0:IN_BEATS*N_IMAGES-1];
  string in_file, out_file;
  int fout;
  bit stalls;
  int NImages = N_IMAGES;  // images of this run (+N=)
  int NIn = IN_BEATS * N_IMAGES;
  longint Cycle = 0;
  longint FirstIn [0:N_IMAGES-1];
  longint LastOut [0:N_IMAGES-1];
  int InIdx = 0, OutIdx = 0, Errors = 0;
  logic PrevValid = 1'b0;
  logic [OUT_W:0] PrevBeat;

  always @(posedge ap_clk) Cycle <= Cycle + 1;

`ifdef E3NE_VCD
  // ---- switching activity: the DUT's every net into +VCD=<path> (e3ne verify --activity)
  string vcd_file;
  initial if ($value$plusargs("VCD=%s", vcd_file)) begin
    $dumpfile(vcd_file);
    $dumpvars(0, dut);
  end
`endif

`ifdef E3NE_WEIGHT_AXI
  // ---- the weight image in a memory the design reads on m_axi_weights ----------------
  string weights_file;
  initial begin
    if (!$value$plusargs("WEIGHTS=%s", weights_file)) weights_file = "weights.mem";
    $readmemh(weights_file, u_mem.Mem);
  end
  axi_read_mem #(.DATA_W(WB_W), .ADDR_W(WB_ADDR_W), .WORDS(WB_BEATS), .BASE(WB_BASE),
                 .LAT(WB_LAT)) u_mem (
    .clk(ap_clk), .rst(!ap_rst_n), .stalls,
    .arvalid(m_axi_weights_arvalid), .arready(m_axi_weights_arready),
    .araddr(m_axi_weights_araddr), .arlen(m_axi_weights_arlen),
    .arsize(m_axi_weights_arsize), .arburst(m_axi_weights_arburst),
    .rvalid(m_axi_weights_rvalid), .rready(m_axi_weights_rready),
    .rdata(m_axi_weights_rdata), .rresp(m_axi_weights_rresp), .rlast(m_axi_weights_rlast),
    .errors(MemErrors)
  );
  always @(posedge ap_clk) if (ap_rst_n && weights_err) begin
    $display("FAIL weights_err high at cycle %0d", Cycle);
    Errors++;
  end
`elsif E3NE_WEIGHT_PORT
  // ---- weight image into s_axis_weights, from reset ----------------------------------
  logic [WB_W-1:0]   WMem [0:WB_BEATS-1];
  string             weights_file;
  int                WIdx = 0;
  initial begin
    if (!$value$plusargs("WEIGHTS=%s", weights_file)) weights_file = "weights.mem";
    $readmemh(weights_file, WMem);
  end
  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s_axis_weights_tvalid <= 1'b0;
    end else begin
      automatic bit gap = ($urandom % 4) == 0;
      automatic int nxt = WIdx + ((s_axis_weights_tvalid && s_axis_weights_tready) ? 1 : 0);
      WIdx <= nxt;
      if (!s_axis_weights_tvalid || s_axis_weights_tready) begin
        s_axis_weights_tvalid <= nxt < WB_BEATS && !(stalls && gap);
        s_axis_weights_tdata  <= WMem[(nxt < WB_BEATS) ? nxt : 0];
      end
    end
  end
`endif


  initial begin
    if (!$value$plusargs("IN=%s", in_file)) begin $display("FAIL no +IN=<file>"); $finish; end
    if (!$value$plusargs("OUT=%s", out_file)) begin $display("FAIL no +OUT=<file>"); $finish; end
    stalls = $test$plusargs("STALLS");
    if ($value$plusargs("N=%d", NImages) && (NImages < 1 || NImages > N_IMAGES)) begin
      $display("FAIL +N=%0d: this bench was built for 1 to %0d images", NImages, N_IMAGES);
      $finish;
    end
    NIn = IN_BEATS * NImages;
    $readmemh(in_file, InMem);
    fout = $fopen(out_file, "w");
    repeat (4) @(posedge ap_clk);
    ap_rst_n <= 1'b1;
  end

  // ---- input driver: valid and data hold until the transfer --------------------------
  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s_axis_tvalid <= 1'b0;
    end else begin
      automatic bit gap = ($urandom % 4) == 0;  // drawn every cycle, used under +STALLS
      if (s_axis_tvalid && s_axis_tready) begin
        if (InIdx % IN_BEATS == 0) FirstIn[InIdx / IN_BEATS] <= Cycle;
        InIdx <= InIdx + 1;
      end
      if (!s_axis_tvalid || s_axis_tready) begin
        automatic int nxt = InIdx + ((s_axis_tvalid && s_axis_tready) ? 1 : 0);
        if (nxt < NIn && !(stalls && gap)) begin
          s_axis_tvalid <= 1'b1;
          s_axis_tdata  <= InMem[nxt];
        end else begin
          s_axis_tvalid <= 1'b0;
        end
      end
    end
  end

  // ---- output sink: random back-pressure, handshake rules -----------------------------
  always @(posedge ap_clk) begin
    if (!ap_rst_n) m_axis_tready <= 1'b0;
    else m_axis_tready <= !(($urandom % 3) == 0 && stalls);
  end

  always @(posedge ap_clk) begin
    if (ap_rst_n) begin
      if (PrevValid && !(m_axis_tvalid && {m_axis_tlast, m_axis_tdata} == PrevBeat)) begin
        $display("FAIL m_axis dropped valid or changed data before the transfer at cycle %0d",
                 Cycle);
        Errors++;
      end
      PrevValid <= m_axis_tvalid && !m_axis_tready;
      PrevBeat  <= {m_axis_tlast, m_axis_tdata};
      if (m_axis_tvalid && m_axis_tready) begin
        $fdisplay(fout, "%0d %0h", m_axis_tlast, m_axis_tdata);
        if ((OutIdx % OUT_BEATS == OUT_BEATS - 1) != m_axis_tlast) begin
          $display("FAIL tlast=%0d on output beat %0d (expected every %0d beats)",
                   m_axis_tlast, OutIdx, OUT_BEATS);
          Errors++;
        end
        if (m_axis_tlast) begin  // an image is out: on disk now, so verify can count it
          LastOut[OutIdx / OUT_BEATS] = Cycle;
          $fflush(fout);
        end
        OutIdx++;
        if (OutIdx == OUT_BEATS * NImages) begin
          // drain a little to catch extra beats
          repeat (64) @(posedge ap_clk) begin
            if (m_axis_tvalid && m_axis_tready) begin
              $display("FAIL extra output beat after the last image");
              Errors++;
            end
          end
          for (int i = 0; i < NImages; i++) $display("IMG %0d %0d %0d", i, FirstIn[i], LastOut[i]);
          $fclose(fout);
`ifdef E3NE_WEIGHT_AXI
          Errors += MemErrors;
`endif
          if (Errors == 0) $display("PASS");
          $finish;
        end
      end
      if (Cycle > TIMEOUT) begin
        $display("FAIL time-out after %0d cycles: %0d of %0d input beats sent, %0d of %0d output beats received",
                 Cycle, InIdx, NIn, OutIdx, OUT_BEATS * NImages);
        $fclose(fout);
        $finish;
      end
    end
  end
endmodule
